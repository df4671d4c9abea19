/* Minimal typings for shacl-engine (the package ships none). Only what src/shacl uses. */
declare module 'shacl-engine/Validator.js' {
  import type { DatasetCore, Term, DataFactory } from '@rdfjs/types';

  export interface EngineTermPtr {
    term?: Term;
    terms: Term[];
    ptrs: unknown[];
    value?: string;
  }

  export interface EnginePathStep {
    quantifier: 'one' | 'oneOrMore' | 'zeroOrMore' | 'zeroOrOne';
    start: 'subject' | 'object';
    end: 'subject' | 'object';
    predicates: Term[];
  }

  export interface EngineShape {
    ptr: EngineTermPtr & { out(predicates: Term[]): EngineTermPtr };
    path: EnginePathStep[] | null;
    severity?: Term;
  }

  export interface EngineResult {
    args: Record<string, unknown>;
    constraintComponent: Term;
    focusNode: EngineTermPtr;
    path: EnginePathStep[] | null;
    severity: Term;
    shape: EngineShape;
    source: Term[];
    value?: EngineTermPtr;
    readonly message: Array<Term & { language: string }>;
  }

  export interface EngineReport {
    readonly conforms: boolean;
    results: EngineResult[];
    readonly dataset: DatasetCore;
  }

  export interface ValidatorOptions {
    factory: DataFactory & { dataset(quads?: unknown[]): DatasetCore };
    validations?: Map<Term, unknown>;
    targetResolvers?: Map<Term, unknown>;
    debug?: boolean;
    details?: boolean;
    trace?: boolean;
    coverage?: boolean;
  }

  export default class Validator {
    constructor(shapes: DatasetCore, options: ValidatorOptions);
    validate(data: { dataset: DatasetCore; terms?: Iterable<Term> }, shapes?: Array<{ terms: Term[] }>): Promise<EngineReport>;
  }
}

declare module 'shacl-engine/sparql.js' {
  import type { Term } from '@rdfjs/types';
  export const validations: Map<Term, unknown>;
  export const targetResolvers: Map<Term, unknown>;
}
