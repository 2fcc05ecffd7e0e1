// The checks' suggestions on the evaluation page: a click on a moment of the evidence (the silence
// at 02:31) plays the recording from there. Kept apart from evaluation.ts: it only finds the
// player's own <audio> element (the waveform follows it) and never answers a criterion.
function seek(atSec: number): void {
  const audio = document.querySelector<HTMLAudioElement>('[data-evaluation-player] audio');
  if (!audio) return;
  audio.currentTime = Math.max(0, atSec - 0.5);
  void audio.play().catch(() => undefined);
  document.querySelector('[data-evaluation-player]')?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

document.addEventListener('click', (e) => {
  const button = (e.target as HTMLElement | null)?.closest<HTMLElement>('[data-seek]');
  if (!button) return;
  e.preventDefault();
  const at = Number(button.dataset.seek);
  if (Number.isFinite(at)) seek(at);
});
