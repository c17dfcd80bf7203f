// SvelteKit 3 targets Node 22, whose `Promise.withResolvers` it calls while building and while
// answering requests. The project's machines run Node 20.19+, so the build (via NODE_OPTIONS) and
// server.ts load this shim first. Remove it once the project moves to Node 22.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    /** @template T */
    value: function withResolvers() {
      /** @type {(value: T | PromiseLike<T>) => void} */
      let resolve = () => {};
      /** @type {(reason?: unknown) => void} */
      let reject = () => {};
      const promise = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
