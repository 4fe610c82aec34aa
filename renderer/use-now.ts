/**
 * The current time, re-read every `intervalMs` so relative times ("5 min ago") stay true.
 */
import { useEffect, useState } from 'react';

export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  // A re-render for another reason (a status event) must not show times older than the tick.
  return Math.max(now, Date.now());
}
