import { Logger } from '@nestjs/common';
import { isThenable } from '../common/index.js';
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

  dispatch(channel: RemotingChannel, request: RemotingCommand): Promise<RemotingCommand | null> {
    const answer = this.dispatchNow(channel, request);
    return answer instanceof Promise ? answer : Promise.resolve(answer);
  }

  /**
   * The same, answered synchronously when the processor answers synchronously (most do): the in-process
   * channel then spends no promise on the way through.
   */
  dispatchNow(channel: RemotingChannel, request: RemotingCommand): RemotingCommand | null | Promise<RemotingCommand | null> {
    const processor = this.processors.get(request.code) ?? this.defaultProcessor;
    if (!processor) {
      return this.finish(
        request,
        RemotingCommand.createResponse(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`),
      );
    }
    let answer: RemotingCommand | null | PromiseLike<RemotingCommand | null>;
    try {
      answer = processor.processRequest(channel, request);
    } catch (err) {
      return this.finish(request, this.failure(channel, request, err));
    }
    if (isThenable(answer)) {
      return Promise.resolve(answer).then(
        (response) => this.finish(request, response),
        (err: unknown) => this.finish(request, this.failure(channel, request, err)),
      );
    }
    return this.finish(request, answer);
  }

  private finish(request: RemotingCommand, response: RemotingCommand | null): RemotingCommand | null {
    if (request.isOneway() || !response) return null;
    response.opaque = request.opaque;
    response.markResponse();
    return response;
  }

  private failure(channel: RemotingChannel, request: RemotingCommand, err: unknown): RemotingCommand {
    this.logger.error(`request code ${request.code} from ${channel.remoteAddress} failed: ${describe(err)}`);
    return RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, describe(err));
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
