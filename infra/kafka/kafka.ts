/**
 * A local Apache Kafka broker in the background, without Docker.
 *
 *   node infra/kafka/kafka.ts start [--port N] [--data-dir D]   # prints KAFKA_BROKERS=127.0.0.1:<port>
 *   node infra/kafka/kafka.ts status [--data-dir D]
 *   node infra/kafka/kafka.ts stop [--data-dir D]
 *
 * The data dir (default .crh/kafka/broker) keeps topics between starts and
 * holds broker.json {pid, brokers} while the broker runs; logs are in <data-dir>/logs.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isBrokerProcess, KAFKA_VERSION, REPO_ROOT, startLocalKafka, stopPid } from './local-kafka.ts';

interface BrokerFile {
  pid: number;
  brokers: string[];
}

const USAGE = 'usage: node infra/kafka/kafka.ts start|stop|status [--port N] [--data-dir D]';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean' } },
  });
  const command = positionals[0];
  if (values.help || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const dataDir = resolve(values['data-dir'] ?? join(REPO_ROOT, '.crh', 'kafka', 'broker'));
  const brokerFile = join(dataDir, 'broker.json');
  const running = await readBrokerFile(brokerFile);
  const alive = running !== undefined && isBrokerProcess(running.pid, dataDir);

  switch (command) {
    case 'start': {
      if (alive) {
        console.error(`Kafka already running (pid ${running.pid}, data in ${dataDir})`);
        console.log(`KAFKA_BROKERS=${running.brokers.join(',')}`);
        return 0;
      }
      let port: number | undefined;
      if (values.port !== undefined) {
        port = Number(values.port);
        if (!Number.isInteger(port) || port <= 0 || port > 65535)
          throw new Error(`bad --port ${values.port}`);
      }
      const started = Date.now();
      const kafka = await startLocalKafka({ dataDir, port, detached: true });
      await writeFile(brokerFile, `${JSON.stringify({ pid: kafka.pid, brokers: kafka.brokers })}\n`);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.error(
        `Kafka ${KAFKA_VERSION} started in ${seconds} s (pid ${kafka.pid}, data and logs in ${dataDir})`,
      );
      console.log(`KAFKA_BROKERS=${kafka.brokers.join(',')}`);
      return 0;
    }
    case 'stop': {
      if (alive) {
        await stopPid(running.pid);
        console.error(`Kafka stopped (pid ${running.pid})`);
      } else {
        console.error('Kafka is not running');
      }
      await rm(brokerFile, { force: true });
      return 0;
    }
    case 'status': {
      if (alive) {
        console.error(`Kafka running (pid ${running.pid}, data in ${dataDir})`);
        console.log(`KAFKA_BROKERS=${running.brokers.join(',')}`);
        return 0;
      }
      console.error('Kafka is not running');
      return 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

async function readBrokerFile(file: string): Promise<BrokerFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<BrokerFile>;
    if (typeof parsed.pid === 'number' && Array.isArray(parsed.brokers)) {
      return { pid: parsed.pid, brokers: parsed.brokers };
    }
  } catch {
    // missing or unreadable: not running
  }
  return undefined;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
