import { getTransactionValue, MessageConst, MessageSysFlag } from '../../message/index.js';
import { RemotingCommand, ResponseCode } from '../../remoting/index.js';
import { MessageExtBrokerInner } from '../../store/index.js';
import { PutMessageInterceptor, SendMessageContext } from '../processor/put-message-interceptor.js';
import { ScheduleMessageService } from './schedule-message-service.js';
import { PROPERTY_TIMER_OUT_MS, TimerMessageService } from './timer-message-service.js';

const TIMER_PROPERTIES = [
  MessageConst.PROPERTY_TIMER_DELIVER_MS,
  MessageConst.PROPERTY_TIMER_DELAY_SEC,
  MessageConst.PROPERTY_TIMER_DELAY_MS,
] as const;

const LONG_TEXT = /^[+-]?\d+$/;

/**
 * The put hook that parks delayed and timer messages (HookUtils.handleScheduleMessage). Non-transactional
 * and committed messages only: half messages are parked by the transaction service and delayed, if at
 * all, once committed. As in RocketMQ 5, a DELAY level above 0 wins over TIMER_* properties, which are
 * then dropped.
 */
export class SchedulePutMessageInterceptor implements PutMessageInterceptor {
  constructor(
    private readonly scheduleMessageService: ScheduleMessageService,
    private readonly timerMessageService: TimerMessageService,
    private readonly timerMaxDelaySec: number,
  ) {}

  beforePutMessage(context: SendMessageContext): RemotingCommand | undefined {
    return this.handleScheduleMessage(context.msgInner, context.properties);
  }

  /**
   * Rewrites `msg` (topic, queue, tagsCode) and `properties` when the message is delayed or timed; returns
   * an error response for an illegal timer message. Other put paths (send-back, END_TRANSACTION commit)
   * call it before storing, as RocketMQ runs it for every put.
   */
  handleScheduleMessage(msg: MessageExtBrokerInner, properties: Record<string, string>, now = Date.now()): RemotingCommand | undefined {
    const tranType = getTransactionValue(msg.sysFlag);
    if (tranType !== MessageSysFlag.TRANSACTION_NOT_TYPE && tranType !== MessageSysFlag.TRANSACTION_COMMIT_TYPE) return undefined;
    if (msg.topic === TimerMessageService.TIMER_TOPIC || msg.topic === ScheduleMessageService.SCHEDULE_TOPIC) return undefined;
    const delayLevel = Number(properties[MessageConst.PROPERTY_DELAY_TIME_LEVEL] ?? 0) || 0;
    if (delayLevel > 0) {
      for (const key of TIMER_PROPERTIES) delete properties[key];
      this.scheduleMessageService.transformDelayLevelMessage(msg, properties, now);
      return undefined;
    }
    if (properties[PROPERTY_TIMER_OUT_MS] !== undefined) return undefined;
    if (!TIMER_PROPERTIES.some((key) => properties[key] !== undefined)) return undefined;
    return this.transformTimerMessage(msg, properties, now);
  }

  private transformTimerMessage(msg: MessageExtBrokerInner, properties: Record<string, string>, now: number): RemotingCommand | undefined {
    const delaySec = properties[MessageConst.PROPERTY_TIMER_DELAY_SEC];
    const delayMs = properties[MessageConst.PROPERTY_TIMER_DELAY_MS];
    const deliverAt = properties[MessageConst.PROPERTY_TIMER_DELIVER_MS];
    const [key, text] =
      delaySec !== undefined
        ? [MessageConst.PROPERTY_TIMER_DELAY_SEC, delaySec]
        : delayMs !== undefined
          ? [MessageConst.PROPERTY_TIMER_DELAY_MS, delayMs]
          : [MessageConst.PROPERTY_TIMER_DELIVER_MS, deliverAt];
    if (!LONG_TEXT.test(text.trim())) {
      return RemotingCommand.createResponse(ResponseCode.MESSAGE_ILLEGAL, `timer message illegal: ${key} must be an integer, got "${text}"`);
    }
    const value = Number(text.trim());
    const deliverMs = key === MessageConst.PROPERTY_TIMER_DELAY_SEC ? now + value * 1000 : key === MessageConst.PROPERTY_TIMER_DELAY_MS ? now + value : value;
    if (deliverMs <= now) {
      // Already due: stored straight to its topic, like a message that was never timed.
      for (const k of TIMER_PROPERTIES) delete properties[k];
      return undefined;
    }
    const maxMillis = this.timerMaxDelaySec * 1000;
    if (deliverMs - now > maxMillis) {
      return RemotingCommand.createResponse(
        ResponseCode.MESSAGE_ILLEGAL,
        `timer message illegal, the delay time should not be bigger than the max delay ${maxMillis}ms (timerMaxDelaySec ${this.timerMaxDelaySec}); ${key}=${text} is ${deliverMs - now}ms ahead`,
      );
    }
    this.timerMessageService.transformTimerMessage(msg, properties, deliverMs);
    return undefined;
  }
}
