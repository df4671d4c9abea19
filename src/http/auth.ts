/** Bearer-token authentication: sets res.locals.caller; a token that is not known is a 401. */
import type { NextFunction, Request, Response } from 'express';
import { type TokenRegistry } from '../service/tokens.js';
import { ANONYMOUS, type Caller } from '../model/caller.js';
import { HttpError } from './problem.js';

export function authenticate(tokens: TokenRegistry) {
  return (req: Request, res: Response, next: NextFunction) => {
    const h = req.headers.authorization;
    if (!h) { res.locals.caller = ANONYMOUS; return next(); }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m) return next(new HttpError(401, 'Unauthorized', 'the Authorization header must be "Bearer <token>"'));
    const caller = tokens.verify(m[1]);
    if (!caller) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="syndb", error="invalid_token"');
      return next(new HttpError(401, 'Unauthorized', 'the bearer token is not valid (unknown or revoked)'));
    }
    res.locals.caller = caller;
    next();
  };
}

export const callerOf = (res: Response): Caller => res.locals.caller ?? ANONYMOUS;
