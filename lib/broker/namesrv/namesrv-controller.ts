import { Logger } from '@nestjs/common';
import { RequestDispatcher } from '../../remoting/index.js';
import { DefaultRequestProcessor } from './default-request-processor.js';
import { NamesrvConfig, resolveNamesrvConfig } from './namesrv-config.js';
import { RouteInfoManager } from './route-info-manager.js';

/**
 * One NameServer (NamesrvController): the route tables behind `dispatcher`, plus the sweep that drops
 * brokers which stopped registering. Bind `dispatcher` to an in-process registry or a TCP server.
 */
export class NamesrvController {
  private readonly logger = new Logger(NamesrvController.name);
  readonly namesrvConfig: NamesrvConfig;
  readonly routeInfoManager: RouteInfoManager;
  readonly dispatcher = new RequestDispatcher(new Logger(NamesrvController.name));
  private timer: NodeJS.Timeout | undefined;

  constructor(config: Partial<NamesrvConfig> = {}) {
    this.namesrvConfig = resolveNamesrvConfig(config as Record<string, unknown>);
    this.routeInfoManager = new RouteInfoManager(this.namesrvConfig);
    this.dispatcher.registerDefaultProcessor(new DefaultRequestProcessor(this.routeInfoManager));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.routeInfoManager.scanNotActiveBroker(), this.namesrvConfig.scanNotActiveBrokerInterval);
    this.timer.unref();
    this.logger.debug?.('name server started');
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
