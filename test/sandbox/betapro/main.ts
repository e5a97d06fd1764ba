/**
 * Runs the BetaPRO simulator on its own:  npx tsx test/sandbox/betapro/main.ts
 *
 * Environment:
 *   PORT (default 8084)  HOST (default 127.0.0.1)
 *   BETAPRO_SIM_STATE_FILE   JSON file to keep state across restarts (default: none, in memory)
 *   BETAPRO_SIM_PARTNERS     partners to create, "id:password,id2:password2" (default "1001:secret")
 *   BETAPRO_SIM_REQ_PER_MINUTE   per-minute request quota (default 600)
 *   BETAPRO_SIM_GOODS_SUPPLY_START=1   emit goods_supply_start on arrival
 */
import { startBetaproSimulator } from './index';

const env = process.env;
const partners = (env.BETAPRO_SIM_PARTNERS ?? '1001:secret')
  .split(',')
  .filter(Boolean)
  .map((pair) => {
    const at = pair.indexOf(':');
    if (at <= 0) throw new Error(`BETAPRO_SIM_PARTNERS: expected id:password, got "${pair}"`);
    return { partnerId: pair.slice(0, at), password: pair.slice(at + 1) };
  });

const sim = await startBetaproSimulator({
  port: Number(env.PORT ?? 8084),
  host: env.HOST ?? '127.0.0.1',
  stateFile: env.BETAPRO_SIM_STATE_FILE || undefined,
  partners,
  rateLimits: env.BETAPRO_SIM_REQ_PER_MINUTE ? { req_qnt: { minute: Number(env.BETAPRO_SIM_REQ_PER_MINUTE) } } : undefined,
  outdocTypes: env.BETAPRO_SIM_GOODS_SUPPLY_START === '1' ? { goods_supply_start: true } : undefined,
});

console.log(`BetaPRO simulator
  API      ${sim.apiUrl}   (Basic auth: ${partners.map((p) => p.partnerId).join(', ')})
  control  ${sim.controlUrl}
  console  ${sim.consoleUrl}`);

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
