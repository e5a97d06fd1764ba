/**
 * Prints the MoySklad solution descriptor for this deployment:
 *   npm run descriptor                      # base URL from APP_BASE_URL
 *   npm run descriptor -- --base https://bridge.example.com
 */
import './load-env';
import { renderDescriptor } from '@/lib/moysklad/descriptor';

function argument(name: string): string | undefined {
  const args = process.argv.slice(2);
  const index = args.indexOf(name);
  if (index >= 0) return args[index + 1];
  const inline = args.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

const base = argument('--base') ?? process.env.APP_BASE_URL;
if (!base) {
  console.error('Set APP_BASE_URL or pass --base https://your-host');
  process.exit(2);
}
try {
  process.stdout.write(renderDescriptor(base));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
