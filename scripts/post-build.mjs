// Trunk's post-build hook. Trunk runs hooks of one stage concurrently, and both steps
// rewrite index.html, so they run here one after the other: shrink the wasm (release
// builds; it changes the wasm's integrity hash), then write the CSP (scripts/csp.mjs).
import { optimise } from './wasm-opt.mjs';

const dir = process.env.TRUNK_STAGING_DIR ?? process.argv[2] ?? 'dist';
if ((process.env.TRUNK_PROFILE ?? 'release') === 'release') optimise(dir);
await import('./csp.mjs');
