import { ConfigurableModuleBuilder } from '@nestjs/common';
import { RocketMQRuntime } from './rocketmq-runtime.service.js';
import type { RocketMQModuleExtras, RocketMQModuleOptions } from './interfaces/rocketmq-module-options.interface.js';

/**
 * `forRoot` / `forRootAsync` come from Nest's ConfigurableModuleBuilder. The extras (`isGlobal`,
 * `templateNames`) shape the module definition; `RocketMQModule` turns them into providers.
 */
export const {
  ConfigurableModuleClass: ConfigurableRocketMQModule,
  MODULE_OPTIONS_TOKEN: ROCKETMQ_MODULE_OPTIONS,
  OPTIONS_TYPE: ROCKETMQ_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ROCKETMQ_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RocketMQModuleOptions>({ moduleName: 'RocketMQ' })
  .setClassMethodName('forRoot')
  .setExtras<RocketMQModuleExtras>({ isGlobal: true, templateNames: [] }, (definition, extras) => {
    // forRoot passes the options themselves as extras, so their template names are known here;
    // forRootAsync only knows the names declared in templateNames.
    const fromOptions = Object.keys((extras as RocketMQModuleOptions).templates ?? {});
    const names = [...new Set([...fromOptions, ...(extras.templateNames ?? [])])];
    const templateProviders = names.map((name) => ({
      provide: `RocketMQTemplate:${name}`,
      useFactory: (runtime: RocketMQRuntime) => runtime.getTemplate(name),
      inject: [RocketMQRuntime],
    }));
    return {
      ...definition,
      global: extras.isGlobal,
      providers: [...(definition.providers ?? []), ...templateProviders],
      exports: [...(definition.exports ?? []), ...templateProviders.map((p) => p.provide)],
    };
  })
  .build();

export type RocketMQModuleAsyncOptions = typeof ROCKETMQ_ASYNC_OPTIONS_TYPE;
export type RocketMQModuleForRootOptions = typeof ROCKETMQ_OPTIONS_TYPE;
