import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import {
  InjectRocketMQTemplate,
  RocketMQConfigError,
  RocketMQContext,
  RocketMQMessageListener,
  RocketMQModule,
  RocketMQTemplate,
  rocketMQOptionsFromProperties,
  type RocketMQListener,
  type RocketMQModuleOptions,
} from '../../lib/index.js';
import { createApp, createAppError } from './utils/test-app.js';
import { waitFor } from './utils/wait-for.js';

const received: string[] = [];

@RocketMQMessageListener({ topic: 'options-topic', consumerGroup: 'options-consumer' })
class OptionsListener implements RocketMQListener<string> {
  onMessage(message: string, _ctx: RocketMQContext): void {
    received.push(message);
  }
}

/** A config source, as @nestjs/config's ConfigService would be. */
@Injectable()
class FakeConfigService {
  get(): RocketMQModuleOptions {
    return { producer: { group: 'async-producer' } };
  }
}

@Module({ providers: [FakeConfigService], exports: [FakeConfigService] })
class FakeConfigModule {}

@Injectable()
class RocketMQOptionsFactory {
  create(): RocketMQModuleOptions {
    return { producer: { group: 'class-producer' } };
  }
}

describe('RocketMQModule options', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    received.length = 0;
  });

  async function roundTrip(text: string): Promise<void> {
    await app!.get(RocketMQTemplate).syncSend('options-topic', text);
    await waitFor(() => received.includes(text), { message: `"${text}" to arrive` });
  }

  it('forRoot starts a bundled broker, a template and the listeners', async () => {
    app = await createApp({ imports: [RocketMQModule.forRoot({ producer: { group: 'root-producer' } })], providers: [OptionsListener] });
    await roundTrip('hello from forRoot');
  });

  it('forRootAsync with useFactory and inject', async () => {
    app = await createApp({
      imports: [
        RocketMQModule.forRootAsync({
          imports: [FakeConfigModule],
          inject: [FakeConfigService],
          useFactory: (config: FakeConfigService) => config.get(),
        }),
      ],
      providers: [OptionsListener],
    });
    await roundTrip('hello from useFactory');
  });

  it('forRootAsync with useClass', async () => {
    app = await createApp({
      imports: [RocketMQModule.forRootAsync({ useClass: RocketMQOptionsFactory })],
      providers: [OptionsListener],
    });
    await roundTrip('hello from useClass');
  });

  it('forRootAsync with useExisting', async () => {
    @Module({ providers: [RocketMQOptionsFactory], exports: [RocketMQOptionsFactory] })
    class FactoryModule {}
    app = await createApp({
      imports: [RocketMQModule.forRootAsync({ imports: [FactoryModule], useExisting: RocketMQOptionsFactory })],
      providers: [OptionsListener],
    });
    await roundTrip('hello from useExisting');
  });

  it('rejects unknown keys and bad values with one RocketMQConfigError listing them all', async () => {
    const err = await createAppError({
      imports: [
        RocketMQModule.forRoot({
          nameServer: 'not an address',
          producer: { group: 'p', sendMessageTimeout: -5, retryTimesWhenSendFailed: 1.5 },
          broker: {},
          bogus: true,
        } as unknown as RocketMQModuleOptions),
      ],
    });
    expect(err).toBeInstanceOf(RocketMQConfigError);
    expect(err.message).toContain('unknown option bogus');
    expect(err.message).toContain('nameServer "not an address" is not a "host:port" list');
    expect(err.message).toContain('producer.sendMessageTimeout must be an integer >= 1, got -5');
    expect(err.message).toContain('producer.retryTimesWhenSendFailed must be an integer >= 0, got 1.5');
    expect(err.message).toContain('remove one of nameServer and broker');
  });

  it('says to set producer.group when a class injects RocketMQTemplate without one', async () => {
    @Injectable()
    class NeedsTemplate {
      constructor(readonly template: RocketMQTemplate) {}
    }
    const err = await createAppError({ imports: [RocketMQModule.forRoot({})], providers: [NeedsTemplate] });
    expect(err).toBeInstanceOf(RocketMQConfigError);
    expect(err.message).toContain('NeedsTemplate injects RocketMQTemplate');
    expect(err.message).toContain('set producer.group');
  });

  it('says which template is missing for @InjectRocketMQTemplate with an undeclared name', async () => {
    @Injectable()
    class NeedsNamed {
      constructor(@InjectRocketMQTemplate('audit') readonly template: RocketMQTemplate) {}
    }
    const err = await createAppError({
      imports: [RocketMQModule.forRootAsync({ templateNames: ['audit'], useFactory: () => ({}) })],
      providers: [NeedsNamed],
    });
    expect(err).toBeInstanceOf(RocketMQConfigError);
    expect(err.message).toContain(`NeedsNamed injects @InjectRocketMQTemplate('audit')`);
    expect(err.message).toContain('templates: { "audit": { group: "..." } }');
  });

  it('maps Spring property keys to options, parsing numbers and booleans', () => {
    const options = rocketMQOptionsFromProperties({
      'rocketmq.name-server': '10.0.0.1:9876;10.0.0.2:9876',
      'rocketmq.producer.group': 'my-group',
      'rocketmq.producer.send-message-timeout': '5000',
      'rocketmq.producer.compress-message-body-threshold': '1024',
      'rocketmq.producer.max-message-size': '131072',
      'rocketmq.producer.retry-times-when-send-async-failed': '0',
      'rocketmq.producer.retry-next-server': 'true',
      'rocketmq.producer.retry-times-when-send-failed': '3',
      'rocketmq.producer.enable-msg-trace': 'false',
      'rocketmq.producer.customized-trace-topic': 'MY_TRACE',
      'rocketmq.producer.access-key': 'ak',
      'rocketmq.producer.secret-key': 'sk',
      'rocketmq.consumer.namespace': 'ns',
      'rocketmq.consumer.listeners.g1.t1': 'false',
      'rocketmq.pull-consumer.group': 'pull-group',
      'server.port': '8080',
    });
    expect(options).toEqual({
      nameServer: '10.0.0.1:9876;10.0.0.2:9876',
      producer: {
        group: 'my-group',
        sendMessageTimeout: 5000,
        compressMessageBodyThreshold: 1024,
        maxMessageSize: 131072,
        retryTimesWhenSendAsyncFailed: 0,
        retryNextServer: true,
        retryTimesWhenSendFailed: 3,
        enableMsgTrace: false,
        customizedTraceTopic: 'MY_TRACE',
        accessKey: 'ak',
        secretKey: 'sk',
      },
      consumer: { namespace: 'ns', listeners: { g1: { t1: false } } },
      pullConsumer: { group: 'pull-group' },
    });
  });

  it('reports unknown rocketmq.* keys and unparsable values by name', () => {
    let err: unknown;
    try {
      rocketMQOptionsFromProperties({
        'rocketmq.producer.grop': 'x',
        'rocketmq.producer.send-message-timeout': 'soon',
        'rocketmq.producer.retry-next-server': 'yes',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RocketMQConfigError);
    const message = (err as Error).message;
    expect(message).toContain('unknown property rocketmq.producer.grop');
    expect(message).toContain('rocketmq.producer.send-message-timeout="soon" is not a non-negative integer');
    expect(message).toContain('rocketmq.producer.retry-next-server="yes" is not a boolean');
  });

  it('feeds properties straight into forRoot', async () => {
    app = await createApp({
      imports: [RocketMQModule.forRoot(rocketMQOptionsFromProperties({ 'rocketmq.producer.group': 'props-producer' }))],
      providers: [OptionsListener],
    });
    await roundTrip('hello from properties');
  });
});
