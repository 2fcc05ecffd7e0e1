// Bundles the browser code (src/client/*.ts, one bundle per entry) into public/build/ with esbuild.
// wavesurfer.js and Chart.js are bundled in from node_modules: no CDN, nothing fetched at run time.
// Shared code goes into chunks; manifest.json names each entry's chunks so the layout can announce
// them with <link rel="modulepreload"> (fetched with the entry, not after it has been parsed).
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
  const result = await build({
    metafile: true,
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
  const manifest: Record<string, string[]> = {};
  const outputs = result.metafile.outputs;
  const chunksOf = (file: string, seen: Set<string>): void => {
    for (const imp of outputs[file]?.imports ?? []) {
      if (imp.kind !== 'import-statement' || seen.has(imp.path)) continue;
      seen.add(imp.path);
      chunksOf(imp.path, seen);
    }
  };
  for (const [file, out] of Object.entries(outputs)) {
    if (!out.entryPoint || !file.endsWith('.js')) continue;
    const seen = new Set<string>();
    chunksOf(file, seen);
    manifest[path.basename(file, '.js')] = [...seen].map((f) => path.basename(f));
  }
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  process.stdout.write(`client built: ${entries.length} bundle(s) in ${Date.now() - started} ms\n`);
}

main().catch((e) => {
  process.stderr.write(`client build failed: ${e}\n`);
  process.exit(1);
});
