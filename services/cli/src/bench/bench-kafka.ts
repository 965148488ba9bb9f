import { join } from 'node:path';
import type { PlatformConfig } from '@crh/config';
import { dataDir } from '../platform/data-dir.ts';

export interface BenchKafka {
  brokers: string[];
  description: string;
  stop(): Promise<void>;
}

/** KAFKA_BROKERS when set, else a local broker from infra/kafka (data in .crh/kafka/bench, fresh each run). */
export async function benchKafka(config: PlatformConfig, log: (line: string) => void): Promise<BenchKafka> {
  const brokers = config.env.KAFKA_BROKERS;
  if (brokers?.length)
    return { brokers, description: `KAFKA_BROKERS ${brokers.join(',')}`, stop: async () => {} };
  const { rm } = await import('node:fs/promises');
  const { KAFKA_VERSION, startLocalKafka } = await import('@crh/local-kafka');
  const dir = join(dataDir(), 'kafka', 'bench');
  await rm(dir, { recursive: true, force: true });
  log(`starting a local Kafka ${KAFKA_VERSION} broker (infra/kafka) ...`);
  const kafka = await startLocalKafka({ dataDir: dir });
  return {
    brokers: kafka.brokers,
    description: `local Kafka ${KAFKA_VERSION} from infra/kafka`,
    stop: kafka.stop,
  };
}
