/** What `nestjs-rocketmq broker` was asked to do. */
export interface BrokerCommandLine {
  help: boolean;
  /** `-c broker.conf` */
  configFile?: string;
  namesrvOnly: boolean;
  brokerOnly: boolean;
  /** `--namesrv-addr host:port;...`: where the broker registers; with `--broker-only` it is required. */
  namesrvAddr?: string;
  /** `--listen-host`: the address both servers bind. @default '127.0.0.1' */
  listenHost: string;
  /** `--namesrv-port`: the NameServer's port; 0 picks a free one. @default 9876 */
  namesrvPort: number;
  /** `key=value` arguments, over the broker.conf's. */
  overrides: Record<string, string>;
}

/** A command line that cannot be run; the CLI prints the message and the usage, and exits 1. */
export class BrokerCommandLineError extends Error {
  override readonly name = 'BrokerCommandLineError';
}

export const BROKER_USAGE = `Usage: nestjs-rocketmq broker [options] [key=value ...]

Starts a RocketMQ NameServer (127.0.0.1:9876) and Broker (127.0.0.1:10911) with the file store
(./.rocketmq unless storePathRootDir says otherwise). Stop with Ctrl-C (SIGINT) or SIGTERM.

Options:
  -c, --config <file>        read a broker.conf (key=value lines, as Apache RocketMQ's)
      --namesrv-only         start only the NameServer
      --broker-only          start only the Broker; it registers with --namesrv-addr (or namesrvAddr)
      --namesrv-addr <addrs> NameServers the Broker registers with, "host:port;host:port"
      --namesrv-port <port>  the NameServer's port, 0 for a free one (default 9876)
      --listen-host <host>   the address both servers bind (default 127.0.0.1)
  -h, --help                 print this help

key=value sets any broker.conf key (brokerName, brokerIP1, listenPort, storePathRootDir, ...) over the
config file's; listenPort=0 picks a free port. NameServer keys: brokerChannelExpiredTime (default
120000 ms), scanNotActiveBrokerInterval, autoCreateTopicRoutes.
`;

/** Reads the arguments after `broker`. */
export function parseBrokerCommandLine(args: readonly string[]): BrokerCommandLine {
  const out: BrokerCommandLine = {
    help: false,
    namesrvOnly: false,
    brokerOnly: false,
    listenHost: '127.0.0.1',
    namesrvPort: 9876,
    overrides: {},
  };
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('-')) throw new BrokerCommandLineError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    switch (arg) {
      case '-h':
      case '--help':
        out.help = true;
        break;
      case '-c':
      case '--config':
        out.configFile = value(i++, arg);
        break;
      case '--namesrv-only':
        out.namesrvOnly = true;
        break;
      case '--broker-only':
        out.brokerOnly = true;
        break;
      case '--namesrv-addr':
        out.namesrvAddr = value(i++, arg);
        break;
      case '--listen-host':
        out.listenHost = value(i++, arg);
        break;
      case '--namesrv-port': {
        const port = Number(value(i++, arg));
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new BrokerCommandLineError(`--namesrv-port must be a port number, got ${args[i]}`);
        out.namesrvPort = port;
        break;
      }
      default: {
        const eq = arg.indexOf('=');
        if (arg.startsWith('-') || eq <= 0) throw new BrokerCommandLineError(`unknown argument "${arg}"`);
        out.overrides[arg.substring(0, eq)] = arg.substring(eq + 1);
      }
    }
  }
  if (out.namesrvOnly && out.brokerOnly) throw new BrokerCommandLineError('--namesrv-only and --broker-only exclude each other');
  return out;
}
