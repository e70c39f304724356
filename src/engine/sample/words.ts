/** Word lists for the sample: people, places, subjects and body text, in several languages. */
import type { Rng } from './random';

export const OUR_DOMAINS = ['example.com', 'example.org', 'acme.test'] as const;
export const OUTSIDE_DOMAINS = [
  'partner.example.net',
  'globex.example',
  'initech.test',
  'umbrella.example',
  'shop.example.net',
  'mail.example.jp',
] as const;

export const FIRST_NAMES = [
  'Alice',
  'Bob',
  'Carol',
  'Dave',
  'Erin',
  'Frank',
  'Grace',
  'Heidi',
  'Ivan',
  'Judy',
  'Mallory',
  'Oscar',
  'Peggy',
  'Trent',
  'Walter',
  'Zoë',
  'José',
  'Jürgen',
  'Åsa',
  'Łukasz',
  'Chloé',
  'Renée',
  'Noël',
  'François',
  'Søren',
  'Björn',
  'Inés',
  'Marta',
  'Giulia',
  'Luca',
] as const;
export const LAST_NAMES = [
  'Liddell',
  'Martin',
  'Rossi',
  'Bianchi',
  'Müller',
  'Schäfer',
  'García',
  'Núñez',
  'Dubois',
  'Lefèvre',
  'Kowalski',
  'Wiśniewska',
  'Andersson',
  'Østergaard',
  'Smith',
  'Jones',
  'Brown',
  'Taylor',
  'Conti',
  'Esposito',
  'Fernández',
  'Öztürk',
  'Nakamura',
  'Yamada',
] as const;

/** An ASCII mailbox part from a display name: José Núñez → jose.nunez. */
export function localPart(first: string, last: string): string {
  const ascii = (s: string): string =>
    s
      .replace(/[Łł]/g, 'l')
      .replace(/[Øø]/g, 'o')
      .replace(/[Åå]/g, 'a')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
  return `${ascii(first)}.${ascii(last)}`;
}

export const TIME_ZONES = [
  { id: 'Europe/Rome', minutes: 60 },
  { id: 'Europe/Berlin', minutes: 60 },
  { id: 'Europe/London', minutes: 0 },
  { id: 'America/New_York', minutes: -300 },
  { id: 'Asia/Tokyo', minutes: 540 },
] as const;

export type Lang = 'en' | 'it' | 'de' | 'fr' | 'es' | 'ja';

export const SENTENCES: Readonly<Record<Lang, readonly string[]>> = {
  en: [
    'Please find the updated figures below.',
    'Let me know if the proposed schedule works for you.',
    'We agreed to move the review to next week.',
    'The shipment left the warehouse this morning.',
    'Could you double-check the numbers before Friday?',
    'Thanks again for your help with the migration.',
    'The meeting room on the second floor is booked.',
    'I have attached the draft for your comments.',
    'The invoice was paid on the due date.',
    'Our team will be out of office on Monday.',
    'Here is a short summary of what we discussed.',
    'The new release fixes the login problem.',
  ],
  it: [
    'Ti invio il riepilogo della riunione di ieri.',
    'La consegna è prevista per venerdì prossimo.',
    'Perché non ci vediamo giovedì alle 10?',
    'Il preventivo è già stato approvato dalla direzione.',
    'Città, qualità e velocità: ecco le priorità.',
    'Grazie per la disponibilità, a presto.',
  ],
  de: [
    'Anbei die überarbeitete Präsentation für Donnerstag.',
    'Die Lieferung verzögert sich um zwei Tage.',
    'Können wir das Gespräch auf Mittwoch verschieben?',
    'Schöne Grüße aus München und viel Erfolg!',
    'Die Prüfung der Unterlagen ist abgeschlossen.',
    'Für Rückfragen stehe ich gern zur Verfügung.',
  ],
  fr: [
    'Voici le compte rendu de la réunion d’équipe.',
    'Le déménagement est prévu pour la fin du mois.',
    'Pourriez-vous vérifier la facture ci-jointe ?',
    'Très bonne journée et à bientôt.',
    'Nous avons reçu votre commande, merci beaucoup.',
    'La présentation aura lieu à l’hôtel de ville.',
  ],
  es: [
    'Te envío el informe del último trimestre.',
    '¿Podemos revisar el contrato mañana por la mañana?',
    'La reunión se celebrará en la sala de conferencias.',
    'Muchas gracias por tu atención, un saludo.',
    'El pedido llegará el miércoles según la compañía.',
  ],
  ja: [
    '来週の会議の資料をお送りします。',
    'ご確認のほど、よろしくお願いいたします。',
    '出荷は明日の午前中に予定しています。',
    '見積書を添付しましたのでご査収ください。',
    'お忙しいところ恐縮ですが、ご返信をお待ちしております。',
  ],
};

export const SUBJECTS: Readonly<Record<Lang, readonly string[]>> = {
  en: [
    'Quarterly report',
    'Meeting notes',
    'Project kickoff',
    'Invoice #{n}',
    'Re: delivery schedule',
    'Team lunch on Friday',
    'Contract renewal',
    'Server maintenance window',
    'Your order {n} has shipped',
    'Budget review',
    'Weekly status',
    'Travel arrangements',
    'Welcome aboard!',
    'Question about the API',
  ],
  it: [
    'Riepilogo riunione',
    'Offerta per la fornitura',
    'Verifica qualità',
    'Città e attività: aggiornamento',
    'Perché il server è lento?',
  ],
  de: [
    'Präsentation für Donnerstag',
    'Rückfrage zur Bestellung {n}',
    'Überprüfung der Unterlagen',
    'Grüße aus München',
    'Änderung des Liefertermins',
  ],
  fr: [
    'Compte rendu de réunion',
    'Facture n° {n}',
    'Déménagement du bureau',
    'Réservation de l’hôtel',
    'Présentation de l’équipe',
  ],
  es: ['Informe trimestral', '¿Revisamos el contrato?', 'Pedido nº {n}', 'Reunión de coordinación'],
  ja: ['会議資料の送付', '見積書のご確認', '出荷予定のお知らせ', 'お打ち合わせの件'],
};

export const SPAM_SUBJECTS = [
  'You have WON a prize!!!',
  'Cheap meds online',
  'Urgent: verify your account',
  'Gagnez un iPhone gratuit',
  'Ihre Rechnung ist überfällig',
  'Exclusive offer just for you',
] as const;

export const FOLDER_NAMES = [
  'Projects',
  'Clients',
  'Invoices',
  'Travel',
  'Newsletters',
  'Family',
  'Receipts',
  'Archive',
  'Suppliers',
  'Human Resources',
  'Équipe',
  'Rechnungen',
  'Preventivi',
  'Pedidos',
  'Reports',
  'Legal',
  'Marketing',
  'Support',
  'Events',
  'Training',
] as const;

export const TAG_NAMES = [
  'Important',
  'Work',
  'Personal',
  'To Do',
  'Later',
  'Überprüfen',
  'Follow-up',
  'Urgente',
] as const;

export const EVENT_TITLES = [
  'Weekly sync',
  'Budget review',
  'Riunione di reparto',
  'Kundentermin in München',
  'Déjeuner d’équipe',
  'Dentist',
  'Sprint planning',
  'Board meeting',
  'Formación interna',
  '会議: 新製品',
] as const;
export const TASK_TITLES = [
  'Renew the domain',
  'Prepare the slides',
  'Call the supplier',
  'Rückerstattung prüfen',
  'Préparer la facture',
  'Update the wiki',
  'Pagare la bolletta',
  'Book the flights',
] as const;
export const DOCUMENT_NAMES = [
  'Budget 2025.csv',
  'Meeting notes.txt',
  'Roadmap.md',
  'Contratto fornitura.pdf',
  'Präsentation.txt',
  'Inventory.csv',
  'Checklist.md',
  'Offre commerciale.pdf',
] as const;
export const PLACES = [
  'Room 2.14',
  'Sala Verde',
  'Besprechungsraum 3',
  'Salle Molière',
  'Online',
  'Café Central',
] as const;
export const COMPANIES = [
  'Acme Corp',
  'Globex',
  'Initech',
  'Umbrella',
  'Müller & Söhne GmbH',
  'Società Italiana Srl',
  'Société Générale des Eaux',
] as const;
export const TITLES = [
  'Sales Manager',
  'Developer',
  'Accountant',
  'CTO',
  'Responsabile acquisti',
  'Einkaufsleiter',
  'Chargée de projet',
] as const;

/** A paragraph of n sentences in one language. */
export function paragraph(rng: Rng, lang: Lang, n: number): string {
  const list = SENTENCES[lang];
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(list));
  return out.join(lang === 'ja' ? '' : ' ');
}

export function subjectIn(rng: Rng, lang: Lang): string {
  return rng.pick(SUBJECTS[lang]).replace('{n}', String(rng.int(1000, 99999)));
}
