import { describe, expect, it } from 'vitest';
import {
  ADDRESS_REFUSED,
  assertRemoteBaseUrl,
  assertResolvesPublic,
  embeddedIpv4,
  isAddressRefused,
  isPublicAddress,
  publicOnlyLookup,
} from '@/lib/core/remote-address';

describe('remote addresses: which IPs a tenant-supplied remote may reach', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast, unspecified and reserved IPv4', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.255.254',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '239.255.255.250',
      '240.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
      '192.0.0.8',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('refuses the same in IPv6, including forms that embed an IPv4 address', () => {
    for (const address of [
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      'fec0::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '[::ffff:7f00:1]',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '::127.0.0.1',
      '::ffff:0:127.0.0.1',
      '64:ff9b::7f00:1',
      '64:ff9b::a00:1',
      '2002:7f00:1::1',
      '2002:c0a8:101::',
      'fe80::1%eth0',
      '2001:db8::1',
      'not-an-ip',
      '',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('accepts public addresses, IPv4 and IPv6, and IPv6 forms carrying a public IPv4', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '2a00:1450:4010:c05::64', '::ffff:93.184.216.34', '64:ff9b::808:808']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
    expect(embeddedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('2002:c0a8:101::1')).toBe('192.168.1.1');
  });

  it('checks the form of a base URL: https only, no credentials, query or fragment, no internal IP literal', () => {
    const strict = { allowPrivateHosts: false };
    const refusedWith = (url: string, policy = strict) => {
      try {
        assertRemoteBaseUrl(url, policy);
      } catch (error) {
        expect(isAddressRefused(error)).toBe(true);
        return (error as { userMessage: string }).userMessage;
      }
      return undefined;
    };
    expect(refusedWith('http://api.example.ru/grh/api')).toMatch(/https:\/\//);
    expect(refusedWith('https://user:pw@api.example.ru/grh/api')).toMatch(/не должен содержать/);
    expect(refusedWith('https://api.example.ru/grh/api?x=1')).toMatch(/не должен содержать/);
    expect(refusedWith('https://api.example.ru/grh/api#x')).toMatch(/не должен содержать/);
    expect(refusedWith('https://127.0.0.1:8443/api')).toMatch(/внутреннюю сеть/);
    expect(refusedWith('https://[::ffff:127.0.0.1]/api')).toMatch(/внутреннюю сеть/);
    expect(refusedWith('https://2130706433/api')).toMatch(/внутреннюю сеть/); // 127.0.0.1 as one number
    expect(refusedWith('https://0x7f.1/api')).toMatch(/внутреннюю сеть/);
    expect(refusedWith('ftp://api.example.ru')).toMatch(/https:\/\//);
    expect(refusedWith('https://api.example.ru/grh/api')).toBeUndefined();
    // The operator's switch: plain http and loopback for the demo, tests and private networks.
    expect(refusedWith('http://127.0.0.1:3002/api', { allowPrivateHosts: true })).toBeUndefined();
    expect(refusedWith('http://u:p@127.0.0.1:3002/api', { allowPrivateHosts: true })).toMatch(/не должен содержать/);
  });

  it('fails a connection whose host name resolves to a loopback address', async () => {
    const error = await new Promise<Error | null>((resolve) => publicOnlyLookup('localhost', { all: true }, (e) => resolve(e)));
    expect(error).toMatchObject({ code: ADDRESS_REFUSED });
  });

  it('on save, refuses a host name resolving to loopback unless private hosts are allowed', async () => {
    const url = new URL('https://localhost:8443/grh/api');
    await expect(assertResolvesPublic(url, { allowPrivateHosts: false })).rejects.toMatchObject({
      details: { reason: ADDRESS_REFUSED },
    });
    await expect(assertResolvesPublic(url, { allowPrivateHosts: true })).resolves.toBeUndefined();
  });
});
