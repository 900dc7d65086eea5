import { describe, expect, it } from '@jest/globals';
import { RemotingCommand, RemotingFrameDecoder, encodeRemotingCommand } from '../../../lib/remoting/index.js';

describe('JSON header codec', () => {
  it('escapes quotes, backslashes, control characters and lone surrogates in short and long strings', () => {
    const values: Record<string, string> = {
      q: 'say "hi"',
      b: 'C:\\path',
      c: 'tab\tnew\nline\u0001',
      s: 'x\ud800y',
      long: '"' + 'a'.repeat(40) + '\\' + '\u0002',
      plain: 'TopicTest',
      'k"ey': 'v',
    };
    const cmd = RemotingCommand.createRequest(310, values);
    cmd.remark = 'r"\\';
    const frame = encodeRemotingCommand(cmd, 'JSON');
    const header = frame.subarray(8).toString('utf8');
    expect(() => JSON.parse(header)).not.toThrow();
    const [decoded] = new RemotingFrameDecoder().push(frame);
    // JSON.stringify writes a lone surrogate as an escape, so it survives the trip (the binary form cannot carry it).
    expect(decoded.extFields).toEqual(values);
    expect(decoded.remark).toBe('r"\\');
  });
});
