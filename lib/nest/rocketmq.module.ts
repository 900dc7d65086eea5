import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { RocketMQAdmin } from './admin/rocketmq-admin.service.js';
import type { RocketMQModuleOptions } from './interfaces/rocketmq-module-options.interface.js';
import { RocketMQListenerExplorer } from './listener/rocketmq-listener.explorer.js';
import { RocketMQMessageConverter } from './messaging/rocketmq-message.converter.js';
import { resolveRocketMQOptions } from './options/rocketmq-options.validator.js';
import { ROCKETMQ_RESOLVED_OPTIONS } from './rocketmq.constants.js';
import { ConfigurableRocketMQModule, ROCKETMQ_MODULE_OPTIONS } from './rocketmq.module-definition.js';
import { RocketMQRuntime } from './rocketmq-runtime.service.js';
import { RocketMQTemplate } from './template/rocketmq.template.js';

/**
 * RocketMQ for Nest (rocketmq-spring-boot-starter's counterpart). `forRoot(options)` or
 * `forRootAsync({ imports, inject, useFactory | useClass | useExisting })`; global unless
 * `isGlobal: false`. Provides the default `RocketMQTemplate`, named templates, the message converter and
 * `RocketMQAdmin`, runs every `@RocketMQMessageListener` provider of the app and binds every
 * `@RocketMQTransactionListener` to its template. Each app gets its own clients and, when
 * no `nameServer` is set, its own bundled broker.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: ROCKETMQ_RESOLVED_OPTIONS,
      useFactory: (options: RocketMQModuleOptions) => resolveRocketMQOptions(options),
      inject: [ROCKETMQ_MODULE_OPTIONS],
    },
    RocketMQMessageConverter,
    RocketMQRuntime,
    RocketMQListenerExplorer,
    RocketMQAdmin,
    {
      provide: RocketMQTemplate,
      useFactory: (runtime: RocketMQRuntime) => runtime.getTemplate(),
      inject: [RocketMQRuntime],
    },
  ],
  exports: [RocketMQTemplate, RocketMQMessageConverter, RocketMQRuntime, RocketMQListenerExplorer, RocketMQAdmin],
})
export class RocketMQModule extends ConfigurableRocketMQModule {}
