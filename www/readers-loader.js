// The config readers' worker (crates/readers; src/web/readers.rs starts it). Trunk's own
// loader shim would leave a failed wasm download as an unhandled rejection inside the
// worker, which the page never hears of; thrown from a task of its own, the failure
// reaches the page's `onerror`, which says so and lets the next file try again.
importScripts('./planscope-readers.js');
wasm_bindgen('./planscope-readers_bg.wasm').catch((e) => {
  setTimeout(() => {
    throw new Error(`the readers' wasm did not load: ${e}`);
  });
});
