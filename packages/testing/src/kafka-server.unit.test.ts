import { describe, expect, it } from 'vitest';
import { type KafkaSources, pickKafkaBroker } from './kafka-server.ts';

function sources(calls: string[], overrides: Partial<KafkaSources> = {}): KafkaSources {
  const started = (name: string) => async () => {
    calls.push(`start ${name}`);
    return { brokers: [`${name}:9092`], where: name, stop: async () => {} };
  };
  return {
    containerRuntimeAvailable: async () => {
      calls.push('probe container');
      return false;
    },
    startContainer: started('container'),
    startLocal: started('local'),
    ...overrides,
  };
}

describe('pickKafkaBroker', () => {
  it('uses KAFKA_BROKERS without probing anything', async () => {
    const calls: string[] = [];
    const broker = await pickKafkaBroker({ KAFKA_BROKERS: ' a:9092, b:9093 ,' }, sources(calls));
    expect(broker.brokers).toEqual(['a:9092', 'b:9093']);
    expect(broker.description).toBe('KAFKA_BROKERS a:9092,b:9093 (KAFKA_BROKERS is set)');
    expect(calls).toEqual([]);
  });

  it('prefers a container when a runtime answers', async () => {
    const calls: string[] = [];
    const broker = await pickKafkaBroker(
      { KAFKA_BROKERS: '' },
      sources(calls, { containerRuntimeAvailable: async () => true }),
    );
    expect(broker.brokers).toEqual(['container:9092']);
    expect(broker.description).toBe(
      'Testcontainers container (no KAFKA_BROKERS, container runtime available)',
    );
    expect(calls).toEqual(['start container']);
  });

  it('falls back to a local broker', async () => {
    const calls: string[] = [];
    const broker = await pickKafkaBroker({}, sources(calls));
    expect(broker.brokers).toEqual(['local:9092']);
    expect(broker.description).toBe('local Kafka local (no KAFKA_BROKERS, no container runtime)');
    expect(calls).toEqual(['probe container', 'start local']);
  });

  it('honours CRH_TEST_KAFKA, even over KAFKA_BROKERS, and rejects unknown values', async () => {
    const calls: string[] = [];
    const local = await pickKafkaBroker({ CRH_TEST_KAFKA: 'local', KAFKA_BROKERS: 'x:1' }, sources(calls));
    expect(local.description).toBe('local Kafka local (CRH_TEST_KAFKA=local)');
    const container = await pickKafkaBroker({ CRH_TEST_KAFKA: 'container' }, sources(calls));
    expect(container.description).toBe('Testcontainers container (CRH_TEST_KAFKA=container)');
    expect(calls).toEqual(['start local', 'start container']);
    await expect(pickKafkaBroker({ CRH_TEST_KAFKA: 'docker' }, sources(calls))).rejects.toThrow(
      /CRH_TEST_KAFKA/,
    );
  });
});
