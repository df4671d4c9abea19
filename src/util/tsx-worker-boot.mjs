// Runs a TypeScript worker module from source (tests, tsx): Node 20 ignores `--import tsx` in a
// worker's execArgv, so the worker registers tsx itself, then imports the real module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__tsWorkerModule);
