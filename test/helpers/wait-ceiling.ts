// The one ceiling for waits on something Souk does by itself (a delivery, a mail, a state). A wait
// ends as soon as the thing happens; the ceiling only says when to give up and report it, so it is
// generous: on a busy machine (other work on the same 2 cores) things take many times longer.
export const WAIT_CEILING_MS = 60_000;
