import { Inject } from '@nestjs/common';
import { RocketMQTemplate } from '../template/rocketmq.template.js';

/**
 * The injection token of a named template (`templates: { name: {...} }`); `getRocketMQTemplateToken()`
 * without a name is the default template, whose token is the `RocketMQTemplate` class.
 */
export function getRocketMQTemplateToken(name?: string): string | typeof RocketMQTemplate {
  return name ? `RocketMQTemplate:${name}` : RocketMQTemplate;
}

/** Injects a named template (Spring's `@ExtRocketMQTemplateConfiguration` bean), or the default one. */
export function InjectRocketMQTemplate(name?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getRocketMQTemplateToken(name));
}
