// Panels the first screen does not show (the planner, the scaling charts,
// compare, export, the timeline, the breakdown) load once the first result is
// on screen: their modules are fetched and rendered after the first paint, so
// they neither delay it nor compete with it for the CPU. The form's sections
// below the model's render then too (usePainted).
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
/** Resolves after the page's first paint (the frame after the first call). */
export const firstPaint = () => (painted ??= afterPaint());

/** false until the first paint, then true: for what the first screen can go without. */
export function usePainted() {
  const [done, setDone] = useState(false);
  useEffect(() => {
    let live = true;
    firstPaint().then(() => live && setDone(true));
    return () => { live = false; };
  }, []);
  return done;
}

// Every panel's loader; all start together after the first paint.
const loaders = [];
let started = null;
const loadAll = () => (started ??= firstPaint().then(() => Promise.allSettled(loaders.map((load) => load()))));

/** Resolves once every panel is loaded and drawn: the page is complete. */
export const settled = () => loadAll().then(afterPaint).then(afterPaint);

/**
 * A component whose module loads after the first paint: renders nothing until
 * then, and the component itself after. load: () => import('...'); name: its export.
 */
export function later(load, name) {
  let Comp = null;
  let loading = null;
  const get = () => (loading ??= load().then((m) => { Comp = m[name]; }));
  loaders.push(get);
  function Later(props) {
    const [, setLoaded] = useState(false);
    useEffect(() => {
      if (Comp) return undefined;
      let live = true;
      loadAll().then(get).then(() => live && setLoaded(true), (e) => console.error(`${name}: ${e?.message || e}`));
      return () => { live = false; };
    }, []);
    return Comp ? h(Comp, props) : null;
  }
  Later.displayName = `Later(${name})`;
  return Later;
}
