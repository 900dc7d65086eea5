import { RemotingCommand } from '../remoting-command.js';

/** Decides whether a request may be served; the TCP server answers NO_PERMISSION with the reason otherwise. */
export interface AclValidator {
  /** Returns undefined when the request is allowed, else why not. `remoteAddress` is the peer's "ip:port". */
  validate(request: RemotingCommand, remoteAddress: string): string | undefined;
}
