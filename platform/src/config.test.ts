import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

const refusal = (env: Record<string, string | undefined>): ConfigError => {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('parseConfig accepted the environment');
};

describe('parseConfig', () => {
  it('fills the defaults from an empty environment', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      DATA_DIR: '.data',
      REDIS_PREFIX: 'hub',
      MEILI_INDEX_PREFIX: 'hub',
      HOST: '127.0.0.1',
      SERVER_PORT: 4000,
      WEB_PORT: 3000,
      SESSION_TTL_HOURS: 24 * 14,
      COOKIE_SECURE: false,
      DEMO_MODE: false,
      TEST_DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
      TEST_REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.MEILI_URL).toBeUndefined();
  });

  it('treats empty strings as unset and coerces numbers and booleans', () => {
    const config = parseConfig({ DATABASE_URL: '', SERVER_PORT: '4100', COOKIE_SECURE: 'yes', DEMO_MODE: '1' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SERVER_PORT).toBe(4100);
    expect(config.COOKIE_SECURE).toBe(true);
    expect(config.DEMO_MODE).toBe(true);
  });

  it('accepts a full set of service URLs', () => {
    const config = parseConfig({
      DATABASE_URL: 'postgresql://hub@db:5432/hub',
      REDIS_URL: 'redis://cache:6379',
      MEILI_URL: 'http://search:7700',
      MEILI_MASTER_KEY: 'a-master-key-of-16+',
    });
    expect(config.DATABASE_URL).toBe('postgresql://hub@db:5432/hub');
  });

  it.each(['mysql://x', 'not a url'])('refuses DATABASE_URL=%j with a ConfigError naming it once', (value) => {
    const error = refusal({ DATABASE_URL: value });
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^DATABASE_URL /);
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message.match(/DATABASE_URL/g)).toHaveLength(1);
  });

  it('says which protocols DATABASE_URL may use', () => {
    expect(refusal({ DATABASE_URL: 'mysql://x' }).problems[0]).toBe('DATABASE_URL must start with postgres:// or postgresql://');
  });

  it('reports every problem together', () => {
    const error = refusal({ DATABASE_URL: 'mysql://x', REDIS_URL: 'http://cache', SERVER_PORT: 'eighty' });
    expect(error.problems.map((p) => p.split(' ')[0]).sort()).toEqual(['DATABASE_URL', 'REDIS_URL', 'SERVER_PORT']);
  });

  it('refuses MEILI_URL without MEILI_MASTER_KEY', () => {
    const error = refusal({ MEILI_URL: 'http://127.0.0.1:7700' });
    expect(error.problems).toEqual(['MEILI_MASTER_KEY is required when MEILI_URL is set']);
  });

  it('refuses ADMIN_EMAIL without ADMIN_PASSWORD, and the reverse', () => {
    expect(refusal({ ADMIN_EMAIL: 'admin@example.cn' }).problems).toEqual(['ADMIN_EMAIL and ADMIN_PASSWORD must be set together']);
    expect(refusal({ ADMIN_PASSWORD: 'long-enough-password' }).problems).toEqual(['ADMIN_EMAIL and ADMIN_PASSWORD must be set together']);
    expect(parseConfig({ ADMIN_EMAIL: 'admin@example.cn', ADMIN_PASSWORD: 'long-enough-password' }).ADMIN_EMAIL).toBe('admin@example.cn');
  });

  it('returns a frozen object', () => {
    const config = parseConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { SERVER_PORT: number }).SERVER_PORT = 1;
    }).toThrow(TypeError);
    expect(config.SERVER_PORT).toBe(4000);
  });
});
