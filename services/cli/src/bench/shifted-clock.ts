// Loaded with `node --import` into the soak's projector only: its clock
// runs a whole day ahead every CRH_BENCH_DAY_EVERY_MS of real time, so the
// day turns (statuses, KPIs, deadlines announced to subscribers) happen
// every few minutes of a soak instead of once a day. Timers keep real time.
// Never loaded by `npm start`, the images or the tests.

const every = Number(process.env.CRH_BENCH_DAY_EVERY_MS);
if (Number.isFinite(every) && every > 0) {
  const RealDate = Date;
  const started = RealDate.now();
  const shift = () => Math.floor((RealDate.now() - started) / every) * 86_400_000;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + shift());
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return RealDate.now() + shift();
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}
