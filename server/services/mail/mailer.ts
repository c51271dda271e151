import nodemailer, { type Transporter } from 'nodemailer';

/** E-mail is optional: without SMTP_URL nothing is sent and in-app notices carry the reminders alone. */
let transport: Transporter | null = null;
let from = 'Storelink <no-reply@storelink.local>';

export function configureMailer(opts: { smtpUrl?: string | undefined; from?: string | undefined }): void {
  transport = opts.smtpUrl ? nodemailer.createTransport(opts.smtpUrl) : null;
  if (opts.from) from = opts.from;
}

export function mailEnabled(): boolean {
  return transport !== null;
}

export async function sendMail(message: { to: string; subject: string; text: string }): Promise<boolean> {
  if (!transport) return false;
  await transport.sendMail({ from, ...message });
  return true;
}
