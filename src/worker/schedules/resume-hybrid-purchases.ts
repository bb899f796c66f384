// A hybrid whose trade-in was credited but whose purchase was never recorded (the process stopped
// between the two) is placed here: placing again finds the same order by its reference, so the
// sweep can never charge twice. With nothing waiting, a run is one read.
import { tradeInDepsOf, type Souk } from '../../app.js';
import { defineSchedule } from '../../core/jobs/index.js';
import { resumeWaitingPurchases } from '../../core/trade-ins/index.js';

export const resumeHybridPurchases = (everyMs: number) =>
  defineSchedule<Souk>({ name: 'trade-ins.resume-purchases', everyMs, run: (souk) => resumeWaitingPurchases(tradeInDepsOf(souk)) });
