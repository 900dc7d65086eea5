import {
  RemotingChannel,
  RemotingCommand,
  RemotingRequestProcessor,
  RequestCode,
  ResponseCode,
} from '../../remoting/index.js';
import { TopicConfigSerializeWrapper } from '../topic-config-manager.js';
import { RouteInfoManager } from './route-info-manager.js';

/**
 * The NameServer's requests (DefaultRequestProcessor and ClientRequestProcessor): broker registration and
 * the route, cluster and topic-list queries of clients and admin tools.
 */
export class DefaultRequestProcessor implements RemotingRequestProcessor {
  private readonly trackedChannels = new WeakSet<RemotingChannel>();

  constructor(private readonly routeInfoManager: RouteInfoManager) {}

  processRequest(channel: RemotingChannel, request: RemotingCommand): RemotingCommand {
    switch (request.code) {
      case RequestCode.REGISTER_BROKER:
        return this.registerBroker(channel, request);
      case RequestCode.UNREGISTER_BROKER:
        this.routeInfoManager.unregisterBroker(
          request.field('clusterName') ?? '',
          request.field('brokerAddr') ?? '',
          request.field('brokerName') ?? '',
          request.intField('brokerId', 0),
        );
        return RemotingCommand.createResponse(ResponseCode.SUCCESS);
      case RequestCode.GET_ROUTEINFO_BY_TOPIC:
        return this.getRouteInfoByTopic(request);
      case RequestCode.GET_BROKER_CLUSTER_INFO:
        return json(this.routeInfoManager.getAllClusterInfo());
      case RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER:
        return json({ topicList: this.routeInfoManager.getAllTopicList() });
      case RequestCode.GET_KV_CONFIG:
        // The bundled NameServer keeps no KV config; RocketMQ answers a missing item this way.
        return RemotingCommand.createResponse(
          ResponseCode.QUERY_NOT_FOUND,
          `No config item, Namespace: ${request.field('namespace') ?? ''} Key: ${request.field('key') ?? ''}`,
        );
      default:
        return RemotingCommand.createResponse(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`);
    }
  }

  private registerBroker(channel: RemotingChannel, request: RemotingCommand): RemotingCommand {
    let topicConfigWrapper: TopicConfigSerializeWrapper | undefined;
    if (request.body && request.body.length > 0) {
      try {
        const body = JSON.parse(request.body.toString('utf8')) as { topicConfigSerializeWrapper?: TopicConfigSerializeWrapper };
        topicConfigWrapper = body.topicConfigSerializeWrapper;
      } catch (err) {
        return RemotingCommand.createResponse(
          ResponseCode.SYSTEM_ERROR,
          `the register body is not valid JSON${request.field('compressed') === 'true' ? ' (compressed bodies are not supported)' : ''}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    if (!this.trackedChannels.has(channel)) {
      this.trackedChannels.add(channel);
      channel.onClose(() => this.routeInfoManager.onChannelDestroy(channel));
    }
    const result = this.routeInfoManager.registerBroker({
      clusterName: request.field('clusterName') ?? 'DefaultCluster',
      brokerAddr: request.field('brokerAddr') ?? channel.remoteAddress,
      brokerName: request.field('brokerName') ?? '',
      brokerId: request.intField('brokerId', 0),
      haServerAddr: request.field('haServerAddr') ?? '',
      topicConfigWrapper,
      channel,
    });
    return RemotingCommand.createResponse(ResponseCode.SUCCESS, undefined, result);
  }

  private getRouteInfoByTopic(request: RemotingCommand): RemotingCommand {
    const topic = request.field('topic') ?? '';
    const route = this.routeInfoManager.pickupTopicRouteData(topic);
    if (!route) {
      return RemotingCommand.createResponse(ResponseCode.TOPIC_NOT_EXIST, `No topic route info in name server for the topic: ${topic}`);
    }
    return json(route);
  }
}

function json(value: unknown): RemotingCommand {
  const response = RemotingCommand.createResponse(ResponseCode.SUCCESS);
  response.body = Buffer.from(JSON.stringify(value), 'utf8');
  return response;
}
