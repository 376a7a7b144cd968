// Panels the first result does not need (the planner, the scaling charts,
// compare, export, the timeline) load once it is on screen: their modules are
// fetched and rendered after the first paint, so they neither delay it nor
// compete with it for the CPU.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** Resolves after the next paint: a frame, then a task after it. */
export function afterPaint() {
  return new Promise((resolve) => {
    const next = () => setTimeout(resolve, 0);
    if (typeof requestAnimationFrame === 'function' && document.visibilityState !== 'hidden') requestAnimationFrame(next);
    else next();
  });
}

let painted = null;
/** Resolves once, after the page's first paint. */
const firstPaint = () => (painted ??= afterPaint());

/**
 * A component whose module loads after the first paint: renders nothing until
 * then, and the component itself after. load: () => import('...'); name: its export.
 */
export function later(load, name) {
  let Comp = null;
  let loading = null;
  const fetchIt = () => (loading ??= firstPaint().then(load).then((m) => { Comp = m[name]; }));
  function Later(props) {
    const [, setLoaded] = useState(!!Comp);
    useEffect(() => {
      if (Comp) return undefined;
      let live = true;
      fetchIt().then(() => live && setLoaded(true), (e) => console.error(`${name}: ${e?.message || e}`));
      return () => { live = false; };
    }, []);
    return Comp ? h(Comp, props) : null;
  }
  Later.displayName = `Later(${name})`;
  return Later;
}
