import { Logger } from '@nestjs/common';
import { ResponseCode } from './request-code.js';
import { RemotingChannel, RemotingRequestProcessor } from './remoting-channel.js';
import { RemotingCommand } from './remoting-command.js';

/**
 * Routes requests to the processor registered for their code, as NettyRemotingAbstract does: an unknown
 * code answers REQUEST_CODE_NOT_SUPPORTED, a processor that throws answers SYSTEM_ERROR with the reason,
 * and a oneway request never gets an answer.
 */
export class RequestDispatcher {
  private readonly processors = new Map<number, RemotingRequestProcessor>();
  private defaultProcessor?: RemotingRequestProcessor;

  constructor(private readonly logger: Logger = new Logger(RequestDispatcher.name)) {}

  registerProcessor(code: number, processor: RemotingRequestProcessor): void {
    this.processors.set(code, processor);
  }

  registerDefaultProcessor(processor: RemotingRequestProcessor): void {
    this.defaultProcessor = processor;
  }

  async dispatch(channel: RemotingChannel, request: RemotingCommand): Promise<RemotingCommand | null> {
    const processor = this.processors.get(request.code) ?? this.defaultProcessor;
    let response: RemotingCommand | null;
    if (!processor) {
      response = RemotingCommand.createResponse(
        ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
        ` request type ${request.code} not supported`,
      );
    } else {
      try {
        response = await processor.processRequest(channel, request);
      } catch (err) {
        this.logger.error(`request code ${request.code} from ${channel.remoteAddress} failed: ${describe(err)}`);
        response = RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, describe(err));
      }
    }
    if (request.isOneway() || !response) return null;
    response.opaque = request.opaque;
    response.markResponse();
    return response;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
