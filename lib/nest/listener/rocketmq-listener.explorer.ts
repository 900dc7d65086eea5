import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator, ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { RocketMQParamType } from '../decorators/rocketmq-param.decorators.js';
import { RocketMQConfigError } from '../errors/rocketmq-config.error.js';
import { RocketMQListenerConfigError } from '../errors/rocketmq-listener-config.error.js';
import { RocketMQTransactionListenerConfigError } from '../errors/rocketmq-transaction.error.js';
import type { RocketMQMessageListenerOptions } from '../interfaces/rocketmq-listener-options.interface.js';
import type {
  RocketMQLocalTransactionListener,
  RocketMQTransactionListenerOptions,
} from '../interfaces/rocketmq-transaction-listener.interface.js';
import { RocketMQMessageConverter } from '../messaging/rocketmq-message.converter.js';
import { PlaceholderResolver } from '../options/placeholder-resolver.js';
import type { ResolvedRocketMQOptions } from '../options/rocketmq-options.validator.js';
import {
  DEFAULT_TEMPLATE_NAME,
  LISTENER_METHOD,
  ROCKETMQ_ARGS_METADATA,
  ROCKETMQ_LISTENER_METADATA,
  ROCKETMQ_RESOLVED_OPTIONS,
  ROCKETMQ_TRANSACTION_LISTENER_METADATA,
} from '../rocketmq.constants.js';
import { RocketMQRuntime } from '../rocketmq-runtime.service.js';
import { RocketMQTemplate } from '../template/rocketmq.template.js';
import { ListenerContainer } from './listener-container.js';
import { MessageExt } from '../../message/index.js';
import { resolveListenerDefinition, subscriptionKey, type ListenerDefinition } from './listener-definition.js';

const TEMPLATE_TOKEN_PREFIX = 'RocketMQTemplate:';

/** `@RocketMQTransactionListener` attributes: the template, and the Java pool sizes (accepted, unused). */
const TRANSACTION_LISTENER_ATTRIBUTES: Record<string, 'string' | [min: number]> = {
  rocketMQTemplateBeanName: 'string',
  corePoolSize: [1],
  maximumPoolSize: [1],
  keepAliveTime: [0],
  blockingQueueSize: [1],
};

/**
 * Finds every `@RocketMQMessageListener` provider and runs it. Module init: validate every listener (all
 * problems in one `RocketMQListenerConfigError`) and every template injection, bind every
 * `@RocketMQTransactionListener` to its template's producer, then start the bundled broker and the producers. Application bootstrap: start the consumers and wait for their first
 * rebalance. Before shutdown: stop them, draining in-flight handlers.
 */
@Injectable()
export class RocketMQListenerExplorer implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RocketMQListenerExplorer.name);
  private containers: ListenerContainer[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly contextCreator: ExternalContextCreator,
    private readonly moduleRef: ModuleRef,
    private readonly runtime: RocketMQRuntime,
    private readonly converter: RocketMQMessageConverter,
    @Inject(ROCKETMQ_RESOLVED_OPTIONS) private readonly options: ResolvedRocketMQOptions,
  ) {}

  /** The containers of this app's listeners (for health checks and tests). */
  getContainers(): readonly ListenerContainer[] {
    return this.containers;
  }

  async onModuleInit(): Promise<void> {
    this.checkTemplateInjections();
    this.bindTransactionListeners();
    const listeners = this.explore();
    await this.runtime.start();
    this.containers = listeners.map(
      ({ definition, wrapper }) =>
        new ListenerContainer(definition, wrapper, this.runtime, this.converter, this.contextCreator, this.moduleRef),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const results = await Promise.allSettled(this.containers.map((c) => c.start()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // Nest runs no shutdown hook after a failed init, so release what did start.
      await this.stopContainers();
      await this.runtime.close();
      throw failed.reason;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stopContainers();
  }

  private async stopContainers(): Promise<void> {
    const results = await Promise.allSettled(this.containers.map((c) => c.stop()));
    for (const r of results) if (r.status === 'rejected') this.logger.error(`A listener did not stop cleanly: ${(r.reason as Error)?.message}`);
  }

  /** Resolves and validates every listener; throws one error listing every problem. */
  private explore(): { definition: ListenerDefinition; wrapper: InstanceWrapper }[] {
    const placeholders = new PlaceholderResolver(this.options.resolvePlaceholder, this.options.properties);
    const problems: string[] = [];
    const found: { definition: ListenerDefinition; wrapper: InstanceWrapper }[] = [];
    const seen = new Set<unknown>();
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype as Function | undefined;
      if (!metatype || wrapper.inject || wrapper.isAlias || seen.has(wrapper)) continue;
      const raw = Reflect.getMetadata(ROCKETMQ_LISTENER_METADATA, metatype) as RocketMQMessageListenerOptions | undefined;
      if (!raw) continue;
      seen.add(wrapper);
      const result = resolveListenerDefinition(metatype, raw, this.options, placeholders);
      problems.push(...result.problems);
      if (result.problems.length === 0 && this.enabled(result.definition)) found.push({ definition: result.definition, wrapper });
    }

    // One consumer per group and client instance: a group is one subscription (C-05), and the client
    // registers each group once per instance.
    const byGroup = new Map<string, ListenerDefinition>();
    for (const { definition } of found) {
      const key = `${definition.nameServer ?? ''}|${definition.namespace ?? ''}|${definition.instanceName ?? ''}|${definition.consumerGroup}`;
      const other = byGroup.get(key);
      if (!other) {
        byGroup.set(key, definition);
        continue;
      }
      if (subscriptionKey(other) !== subscriptionKey(definition)) {
        problems.push(
          `${definition.className}: consumerGroup "${definition.consumerGroup}" is also used by ${other.className} with another subscription ` +
            `(${other.topic} ${other.selectorExpression} vs ${definition.topic} ${definition.selectorExpression}); all consumers of a group must subscribe identically: give one of them its own consumerGroup`,
        );
      } else {
        problems.push(
          `${definition.className}: consumerGroup "${definition.consumerGroup}" is already consumed by ${other.className} in this app; one app runs one consumer per group: merge the listeners or give one its own consumerGroup (or instanceName)`,
        );
      }
    }
    if (problems.length > 0) throw new RocketMQListenerConfigError(problems);

    for (const { wrapper, definition } of found) this.defaultParams(wrapper.metatype as Function, definition);
    return found;
  }

  /**
   * Binds each `@RocketMQTransactionListener` to the producer of its template (rocketmq-spring's
   * RocketMQTransactionConfiguration). Every problem (unknown template, a template without a producer,
   * two listeners for one template, missing callbacks, bad attributes) is reported in one
   * `RocketMQTransactionListenerConfigError` before anything is bound.
   */
  private bindTransactionListeners(): void {
    const problems: string[] = [];
    const bindings = new Map<string, { className: string; instance: RocketMQLocalTransactionListener }>();
    const seen = new Set<unknown>();
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype as Function | undefined;
      if (!metatype || wrapper.inject || wrapper.isAlias || seen.has(wrapper)) continue;
      const raw = Reflect.getMetadata(ROCKETMQ_TRANSACTION_LISTENER_METADATA, metatype) as RocketMQTransactionListenerOptions | undefined;
      if (!raw) continue;
      seen.add(wrapper);
      const className = metatype.name || '<anonymous class>';
      const before = problems.length;
      for (const [key, value] of Object.entries(raw ?? {})) {
        const rule = TRANSACTION_LISTENER_ATTRIBUTES[key];
        if (!rule) problems.push(`${className}: ${key} is not a @RocketMQTransactionListener attribute (known: ${Object.keys(TRANSACTION_LISTENER_ATTRIBUTES).join(', ')})`);
        else if (value === undefined) continue;
        else if (rule === 'string' && (typeof value !== 'string' || value === '')) problems.push(`${className}: ${key} must be a template name, got ${JSON.stringify(value)}`);
        else if (Array.isArray(rule) && (typeof value !== 'number' || !Number.isInteger(value) || value < rule[0])) {
          problems.push(`${className}: ${key} must be an integer >= ${rule[0]}, got ${JSON.stringify(value)}`);
        }
      }
      for (const method of ['executeLocalTransaction', 'checkLocalTransaction']) {
        if (typeof (metatype.prototype as Record<string, unknown>)?.[method] !== 'function') {
          problems.push(`${className}: ${method} is missing: a @RocketMQTransactionListener class implements RocketMQLocalTransactionListener (executeLocalTransaction and checkLocalTransaction)`);
        }
      }
      if (!wrapper.isDependencyTreeStatic()) {
        problems.push(`${className}: a @RocketMQTransactionListener must be a singleton (check-backs arrive outside any request); remove its request or transient scope`);
      }
      const templateName = raw.rocketMQTemplateBeanName ?? DEFAULT_TEMPLATE_NAME;
      if (typeof templateName === 'string' && templateName) {
        const template = this.runtime.getTemplate(templateName);
        if (!template.hasProducer) {
          const reason = this.runtime.missingTemplateReason(templateName) ?? `RocketMQTemplate "${templateName}" has no producer: set producer.group`;
          problems.push(`${className}: rocketMQTemplateBeanName "${templateName}" names no template with a producer. ${reason}`);
        }
        const other = bindings.get(templateName);
        if (other) {
          problems.push(`${className}: RocketMQTemplate "${templateName}" already has the transaction listener ${other.className}; a template has one transaction listener: bind one of them to another template (rocketMQTemplateBeanName)`);
        } else if (problems.length === before) {
          bindings.set(templateName, { className, instance: wrapper.instance as RocketMQLocalTransactionListener });
        } else {
          bindings.set(templateName, { className, instance: undefined as never });
        }
      }
    }
    if (problems.length > 0) throw new RocketMQTransactionListenerConfigError(problems);
    for (const [templateName, { className, instance }] of bindings) {
      this.runtime.getTemplate(templateName).bindTransactionListener(instance, className);
      this.logger.log(`${className} is the transaction listener of RocketMQTemplate "${templateName}"`);
    }
  }

  private enabled(definition: ListenerDefinition): boolean {
    const enabled = this.options.consumer.listeners?.[definition.consumerGroup]?.[definition.topic];
    if (enabled === false) {
      this.logger.log(`${definition.className} (${definition.consumerGroup}/${definition.topic}) is switched off by consumer.listeners`);
      return false;
    }
    return true;
  }

  /**
   * An `onMessage` without `@Payload()` / `@Ctx()` gets them implicitly (payload, context), so pipes see
   * the payload with its `design:paramtypes` metatype as they would with the decorators. TypeScript emits
   * no parameter types for an undecorated method, so a `messageType` class stands in for the payload's.
   */
  private defaultParams(metatype: Function, definition: ListenerDefinition): void {
    let host: Function = metatype;
    while (host.prototype && !Object.prototype.hasOwnProperty.call(host.prototype, LISTENER_METHOD)) {
      const parent = Object.getPrototypeOf(host) as Function;
      if (!parent?.prototype) break;
      host = parent;
    }
    if (Reflect.getMetadata(ROCKETMQ_ARGS_METADATA, host, LISTENER_METHOD)) return;
    const type = definition.messageType;
    const isDto = typeof type === 'function' && ![String, Buffer, Object, MessageExt].includes(type as never);
    if (isDto && !Reflect.getMetadata('design:paramtypes', host.prototype, LISTENER_METHOD)) {
      Reflect.defineMetadata('design:paramtypes', [type, Object], host.prototype, LISTENER_METHOD);
    }
    Reflect.defineMetadata(
      ROCKETMQ_ARGS_METADATA,
      {
        [`${RocketMQParamType.PAYLOAD}:0`]: { index: 0, data: undefined, pipes: [] },
        [`${RocketMQParamType.CONTEXT}:1`]: { index: 1, data: undefined, pipes: [] },
      },
      host,
      LISTENER_METHOD,
    );
  }

  /**
   * A class that injects a template which has no producer (no `producer.group`, or an unknown name)
   * fails here with the fix in the message, instead of at its first send.
   */
  private checkTemplateInjections(): void {
    const problems: string[] = [];
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      for (const token of this.dependencies(wrapper)) {
        const name =
          token === RocketMQTemplate
            ? DEFAULT_TEMPLATE_NAME
            : typeof token === 'string' && token.startsWith(TEMPLATE_TOKEN_PREFIX)
              ? token.substring(TEMPLATE_TOKEN_PREFIX.length)
              : undefined;
        if (name === undefined) continue;
        const reason = this.runtime.missingTemplateReason(name);
        if (reason) problems.push(`${String(wrapper.name)} injects ${name === DEFAULT_TEMPLATE_NAME ? 'RocketMQTemplate' : `@InjectRocketMQTemplate('${name}')`}. ${reason}`);
      }
    }
    if (problems.length > 0) throw RocketMQConfigError.of([...new Set(problems)]);
  }

  private dependencies(wrapper: InstanceWrapper): unknown[] {
    if (wrapper.inject) return wrapper.inject.map((i) => (typeof i === 'object' && i !== null && 'token' in i ? i.token : i));
    const metatype = wrapper.metatype as Function | undefined;
    if (!metatype || wrapper.isNotMetatype) return [];
    const params: unknown[] = [...((Reflect.getMetadata('design:paramtypes', metatype) as unknown[]) ?? [])];
    for (const { index, param } of (Reflect.getMetadata('self:paramtypes', metatype) as { index: number; param: unknown }[]) ?? []) {
      params[index] = param;
    }
    for (const { type } of (Reflect.getMetadata('self:properties_metadata', metatype) as { type: unknown }[]) ?? []) params.push(type);
    return params;
  }
}
