import { RemotingChannel, RemotingCommand, RequestDispatcher, ResponseCode } from '../remoting/index.js';

/**
 * A dispatcher a TCP server can be bound with before the broker behind it exists: the socket must be
 * bound first when the broker's port is chosen by the OS (listenPort 0) and named in the broker address,
 * and no request may reach a broker whose store is still recovering. Until `target` is set every request
 * answers SYSTEM_BUSY, which clients retry.
 */
export class DeferredRequestDispatcher extends RequestDispatcher {
  target: RequestDispatcher | undefined;

  override dispatchNow(channel: RemotingChannel, request: RemotingCommand): RemotingCommand | null | Promise<RemotingCommand | null> {
    if (this.target) return this.target.dispatchNow(channel, request);
    if (request.isOneway()) return null;
    const response = RemotingCommand.createResponse(ResponseCode.SYSTEM_BUSY, 'the broker is starting; try again');
    response.opaque = request.opaque;
    response.markResponse();
    return response;
  }
}
