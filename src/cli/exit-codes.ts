/** Exit codes of `syndb` (README "Command line"). */
export const EXIT = {
  /** done */
  ok: 0,
  /** refused: invalid input (local validation) or the server refused the request (4xx: 404, 409, 422, …) */
  refused: 1,
  /** usage error: unknown command or option, missing argument, no such file */
  usage: 2,
  /** the server cannot be reached (connection refused, unknown host, broken connection) */
  connect: 3,
  /** not authorised: no token, an unknown token, or a token without the right (401, 403) */
  auth: 4,
  /** the server failed (5xx) or answered something unexpected */
  server: 5,
  /** interrupted (Ctrl-C) */
  interrupted: 130,
} as const;
