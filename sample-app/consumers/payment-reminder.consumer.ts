import { RocketMQListener, RocketMQMessageListener } from '../../lib/index.js';
import { EventLogService } from '../events/event-log.service.js';
import { PaymentReminder } from '../orders/order.js';

/** Sends payment reminders. They are delayed messages: each arrives `delaySeconds` after it was scheduled. */
@RocketMQMessageListener({ topic: 'payment-reminders', consumerGroup: 'reminders', messageType: PaymentReminder })
export class PaymentReminderConsumer implements RocketMQListener<PaymentReminder> {
  constructor(private readonly log: EventLogService) {}

  onMessage(reminder: PaymentReminder): void {
    const waited = ((Date.now() - reminder.scheduledAt) / 1000).toFixed(1);
    this.log.record('reminders', `remind to pay ${reminder.orderId} (scheduled ${reminder.delaySeconds}s ahead, arrived after ${waited}s)`);
  }
}
