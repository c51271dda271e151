// A short tone and a desktop notification for what needs the agent: a newcomer in the queue, a customer's message.
import { $ } from '../shared/dom.js';
import { t } from './config.js';
import { notice } from './alerts.js';
import { intents } from './intents.js';
import { displayName, queued, state } from './store.js';

let audio: AudioContext | null = null;
function unlockAudio(): void {
  const Context = window.AudioContext || (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Context) return;
  audio ??= new Context();
  if (audio.state === 'suspended') void audio.resume();
}

let lastBeep = 0;
function beep(): void {
  if (!audio || audio.state !== 'running' || Date.now() - lastBeep < 1000) return;
  lastBeep = Date.now();
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.type = 'sine';
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.0001, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.3);
}

export function alertUser(title: string, body: string, sessionId: string | null): void {
  beep();
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    const notification = new Notification(title, { body: body.slice(0, 120), tag: sessionId ?? 'queue' });
    notification.onclick = () => {
      window.focus();
      if (sessionId) intents.openSession(sessionId);
      notification.close();
    };
  } catch {
    // Some platforms only allow notifications from a service worker: the sound is enough there.
  }
}

/** A newcomer in the queue, unless routing gave it to someone at once (the queued push is followed by an assignment). */
export function announceQueued(sessionId: string): void {
  setTimeout(() => {
    const session = state.sessions.get(sessionId);
    if (session && queued(session)) alertUser(t('notify.queued', { name: displayName(session) }), session.lastMessagePreview || '', null);
  }, 1500);
}

export function bindNotifications(): void {
  // Browsers start audio only after a user gesture.
  document.addEventListener('pointerdown', unlockAudio, { once: true });
  document.addEventListener('keydown', unlockAudio, { once: true });
  const button = $<HTMLButtonElement>('enable-notifications');
  if ('Notification' in window && Notification.permission === 'default') button.hidden = false;
  button.addEventListener('click', async () => {
    unlockAudio();
    const permission = await Notification.requestPermission();
    button.hidden = true;
    notice(permission === 'granted' ? t('notify.on') : t('notify.blocked'), permission === 'granted' ? 'success' : 'warning');
  });
}
