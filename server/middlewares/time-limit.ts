import type { Request, RequestHandler, Response } from 'express';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../config.js';
import { ServiceUnavailableError } from '../errors.js';
import { databaseConnected } from '../services/mongo-errors.js';

/**
 * What a request or socket event gets when the server has not answered it within the time limit: the database is
 * unreachable (the connection is down, so the work waits for it), or, with the database up, a plain timeout.
 * Either way a 503 with Retry-After: the client tries again, the same request or event (writes are repeatable).
 */
export function timeLimitError(): ServiceUnavailableError {
  return databaseConnected()
    ? new ServiceUnavailableError('The server did not finish this request in time: try again shortly.', {
        code: 'timeout',
        retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
      })
    : databaseUnavailableError();
}

export function databaseUnavailableError(): ServiceUnavailableError {
  return new ServiceUnavailableError('The database cannot be reached right now: try again shortly.', {
    code: 'database_unavailable',
    retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
  });
}

/**
 * Bounds the server's time on every request: once `ms` have passed without an answer, `answer` sends the
 * time-limit error (through the one error handler) and the request's own late answer is dropped there. The time a
 * client takes to send its body does not count: while body bytes are still arriving (a picture over a slow line),
 * the limit starts again. A response already started (a download) is left to finish.
 */
export function timeLimit(opts: { ms: number; answer: (err: ServiceUnavailableError, req: Request, res: Response) => void }): RequestHandler {
  return (req, res, next) => {
    let bytesSeen = req.socket.bytesRead;
    let timer: NodeJS.Timeout;
    const check = () => {
      if (res.headersSent) return;
      const bytes = req.socket.bytesRead;
      if (!req.complete && bytes !== bytesSeen) {
        bytesSeen = bytes;
        timer = setTimeout(check, opts.ms);
        return;
      }
      // A failed request changes no session: its save or touch (a database write) must not hold back the answer.
      Reflect.deleteProperty(req, 'session');
      dropLateAnswers(res);
      opts.answer(timeLimitError(), req, res);
    };
    timer = setTimeout(check, opts.ms);
    const stop = () => clearTimeout(timer);
    res.once('finish', stop);
    res.once('close', stop);
    next();
  };
}

/**
 * From the time limit on, the first answer to finish wins (the time-limit page, or the request's own answer if it
 * comes while that page renders) and a later one goes nowhere, instead of throwing "headers already sent" from
 * wherever it is written (a view engine's callback, a stream's pipe).
 */
function dropLateAnswers(res: Response): void {
  const { setHeader, writeHead, write, end } = res;
  Object.assign(res, {
    setHeader: (...args: Parameters<Response['setHeader']>) => (res.headersSent ? res : setHeader.apply(res, args)),
    writeHead: (...args: unknown[]) => (res.headersSent ? res : (writeHead as (...a: unknown[]) => Response).apply(res, args)),
    write: (...args: unknown[]) => (res.writableEnded ? true : (write as (...a: unknown[]) => boolean).apply(res, args)),
    end: (...args: unknown[]) => (res.writableEnded ? res : (end as (...a: unknown[]) => Response).apply(res, args)),
  });
}
