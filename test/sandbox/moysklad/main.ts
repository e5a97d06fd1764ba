/**
 * CLI: runs the MoySklad simulator until interrupted.
 *   MS_SIM_PORT (default 4010), MS_SIM_HOST (127.0.0.1), MS_SIM_STATE_FILE (optional JSON state file),
 *   MS_SIM_APP_ID, MS_SIM_APP_UID, MS_SIM_SECRET_KEY, MS_SIM_APP_BASE_URL (the app, default http://127.0.0.1:3000),
 *   MS_SIM_RATE_REQUESTS / MS_SIM_RATE_WINDOW_MS / MS_SIM_RATE_PARALLEL, MS_SIM_WEBHOOK_TIMEOUT_MS,
 *   MS_SIM_SEED_ACCOUNT (create this account with demo data on an empty state), MS_SIM_VERBOSE=1.
 */
import { startMoyskladSimulator } from './index';

const env = process.env;
const num = (v: string | undefined) => (v ? Number(v) : undefined);

async function main(): Promise<void> {
  const sim = await startMoyskladSimulator({
    port: num(env.MS_SIM_PORT) ?? 4010,
    host: env.MS_SIM_HOST ?? '127.0.0.1',
    stateFile: env.MS_SIM_STATE_FILE || undefined,
    verbose: env.MS_SIM_VERBOSE === '1',
    solution: {
      appId: env.MS_SIM_APP_ID ?? '7f3d2c1b-0a9e-4d8c-b7a6-5e4f3d2c1b0a',
      appUid: env.MS_SIM_APP_UID ?? 'betapro-bridge.demo',
      secretKey: env.MS_SIM_SECRET_KEY ?? 'demo-secret-key-change-me-0123456789abcdef',
      appBaseUrl: env.MS_SIM_APP_BASE_URL ?? 'http://127.0.0.1:3000',
      name: 'BetaPRO Bridge',
    },
    rateLimit: {
      ...(env.MS_SIM_RATE_REQUESTS ? { requests: Number(env.MS_SIM_RATE_REQUESTS) } : {}),
      ...(env.MS_SIM_RATE_WINDOW_MS ? { windowMs: Number(env.MS_SIM_RATE_WINDOW_MS) } : {}),
      ...(env.MS_SIM_RATE_PARALLEL ? { parallel: Number(env.MS_SIM_RATE_PARALLEL) } : {}),
    },
    webhookTimeoutMs: num(env.MS_SIM_WEBHOOK_TIMEOUT_MS),
  });
  if (env.MS_SIM_SEED_ACCOUNT && sim.sim.store.accounts().length === 0) {
    const { accountId } = sim.createAccount(env.MS_SIM_SEED_ACCOUNT);
    sim.seed(accountId);
    console.log(`[moysklad-sim] seeded account ${env.MS_SIM_SEED_ACCOUNT} (${accountId})`);
  }
  console.log(`[moysklad-sim] JSON API ${sim.apiUrl}`);
  console.log(`[moysklad-sim] Vendor API ${sim.vendorApiUrl}`);
  console.log(`[moysklad-sim] UI ${sim.uiUrl}  control ${sim.controlUrl}`);
  const stop = async () => {
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
