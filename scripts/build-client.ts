// Bundles the browser code (src/client/*.ts, one bundle per entry) into public/build/ with esbuild.
// wavesurfer.js and Chart.js are bundled in from node_modules: no CDN, nothing fetched at run time.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..');
const clientDir = path.join(root, 'src', 'client');
const outDir = path.join(root, 'public', 'build');

async function main(): Promise<void> {
  const entries = fs.existsSync(clientDir) ? fs.readdirSync(clientDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => path.join(clientDir, f)) : [];
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  if (!entries.length) return;
  const started = Date.now();
  await build({
    entryPoints: entries,
    outdir: outDir,
    bundle: true,
    format: 'esm',
    splitting: true,
    target: ['chrome110'],
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  process.stdout.write(`client built: ${entries.length} bundle(s) in ${Date.now() - started} ms\n`);
}

main().catch((e) => {
  process.stderr.write(`client build failed: ${e}\n`);
  process.exit(1);
});
