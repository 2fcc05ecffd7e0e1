// The rubric Sifat ships with, drawn from the operator's labour tasks in the professional standard
// "112" yagona dispetcherlik xizmati personali (UZ-KS-2026-T1.0-0073); `standardRef` names the
// task each criterion comes from. Administrators copy and change it; they never edit it in place.
//
// Points: a critical criterion and the location (INFO-2) weigh 10, the rest 5 (115 in all).
// INFO-5 and COMM-1 are 0..3 scales: listening and tone are matters of degree, not yes/no.
// Automatic checks (src/features/checks) bound to OPEN-1, INFO-5, CARD-1, COMM-1 and CLOSE-2 offer
// the specialist a suggestion with its evidence; they never answer for them.
import type { Criterion, LocalizedText, RubricDefinition, RubricSection } from './rubric.model';

export const DEFAULT_RUBRIC_NAME: LocalizedText = {
  uz: "\"112\" chaqiruvlarini baholash shakli (standart)",
  ru: 'Форма оценки вызовов «112» (стандартная)',
  en: '"112" call evaluation rubric (standard)',
};

export const DEFAULT_RUBRIC_DESCRIPTION: LocalizedText = {
  uz: "\"112\" yagona dispetcherlik xizmati personali kasbiy standarti (UZ-KS-2026-T1.0-0073) dagi operator mehnat vazifalari asosida tuzilgan.",
  ru: 'Составлена по трудовым задачам оператора из профессионального стандарта персонала единой диспетчерской службы «112» (UZ-KS-2026-T1.0-0073).',
  en: 'Built from the operator tasks of the professional standard for "112" unified dispatch service personnel (UZ-KS-2026-T1.0-0073).',
};

const SECTIONS: RubricSection[] = [
  {
    key: 'opening',
    title: { uz: 'Chaqiruvni qabul qilish', ru: 'Приём вызова', en: 'Opening' },
    criteria: [
      {
        code: 'OPEN-1',
        text: {
          uz: "Chaqiruv kechiktirilmasdan qabul qilindi, xizmat ko'rsatish skriptiga muvofiq salomlashildi",
          ru: 'Вызов принят без задержки, приветствие произнесено по скрипту службы',
          en: 'Call answered without delay, with the standard greeting from the service script',
        },
        guidance: {
          uz: "Qo'ng'iroq ortiqcha kutishsiz qabul qilinganini va operator suhbatni skriptdagi salomlashuv bilan, xizmat nomini aytib boshlaganini tekshiring.",
          ru: 'Проверьте, что вызов принят без лишнего ожидания, а оператор начал разговор с приветствия по скрипту, назвав службу.',
          en: 'Check that the call was picked up without needless waiting and that the operator opened with the scripted greeting, naming the service.',
        },
        points: 5, answerType: 'yesno', naAllowed: false, critical: false,
        errorCategory: 'greeting', defaultSeverity: 'minor', standardRef: 'A1.01.3',
        autoCheck: { check: 'answerAndGreeting', params: { answerSec: 10, greetingSec: 3 } },
      },
      {
        code: 'OPEN-2',
        text: {
          uz: 'Suhbat fuqaroning tilida olib borildi',
          ru: 'Разговор вёлся на языке заявителя',
          en: "Conversation held in the caller's language",
        },
        guidance: {
          uz: "Operator fuqaro gapirayotgan tilga (o'zbek, qoraqalpoq, rus yoki boshqa til) o'tganini yoki zarur bo'lsa shu tilni biladigan hamkasbini jalb qilganini baholang.",
          ru: 'Оцените, перешёл ли оператор на язык заявителя (узбекский, каракалпакский, русский или другой) или при необходимости привлёк коллегу, владеющего этим языком.',
          en: "Judge whether the operator switched to the caller's language (Uzbek, Karakalpak, Russian or another) or, if needed, brought in a colleague who speaks it.",
        },
        points: 5, answerType: 'yesno', naAllowed: false, critical: false,
        errorCategory: 'communication', defaultSeverity: 'major', standardRef: 'A1.01.3',
      },
    ],
  },
  {
    key: 'information',
    title: { uz: "Ma'lumotlarni aniqlashtirish", ru: 'Сбор информации', en: 'Information gathering' },
    criteria: [
      {
        code: 'INFO-1',
        text: {
          uz: 'Hodisaning mohiyati aniqlandi',
          ru: 'Установлен характер происшествия',
          en: 'Nature of the incident established',
        },
        guidance: {
          uz: "Nima sodir bo'lgani (yong'in, yo'l-transport hodisasi, jinoyat, tibbiy holat va h.k.) aniq va to'liq aniqlashtirilganini tekshiring.",
          ru: 'Проверьте, что оператор чётко выяснил, что произошло: пожар, ДТП, преступление, медицинский случай и т. п.',
          en: 'Check that the operator clearly found out what happened: a fire, road accident, crime, medical emergency and so on.',
        },
        points: 5, answerType: 'yesno', naAllowed: false, critical: false,
        errorCategory: 'information', defaultSeverity: 'major', standardRef: 'A1.01.3',
      },
      {
        code: 'INFO-2',
        text: {
          uz: "Hodisaning aniq manzili aniqlandi va onlayn xarita yoki koordinatalar bo'yicha tekshirildi",
          ru: 'Точное место происшествия установлено и проверено по онлайн-карте или координатам',
          en: 'Exact location established and checked on the map or coordinates',
        },
        guidance: {
          uz: "Manzil (tuman, ko'cha, uy, mo'ljal) so'ralgani va xarita yoki koordinatalar tizimida tasdiqlanganini tekshiring. Noaniq manzil yordamni kechiktiradi.",
          ru: 'Проверьте, что адрес (район, улица, дом, ориентир) уточнён и сверен с онлайн-картой или координатами. Неточный адрес задерживает помощь.',
          en: 'Check that the address (district, street, house, landmark) was asked for and confirmed on the online map or coordinate system. A vague location delays help.',
        },
        points: 10, answerType: 'yesno', naAllowed: false, critical: false,
        errorCategory: 'information', defaultSeverity: 'major', standardRef: 'A1.01.3',
      },
      {
        code: 'INFO-3',
        text: {
          uz: "Fuqaroning shaxsi va aloqa ma'lumotlari tasdiqlandi",
          ru: 'Личность и контактные данные заявителя подтверждены',
          en: "Caller's identity and contact details confirmed",
        },
        guidance: {
          uz: "Fuqaroning ismi va qayta bog'lanish uchun telefon raqami so'ralgani yoki tasdiqlanganini tekshiring.",
          ru: 'Проверьте, что оператор спросил или подтвердил имя заявителя и номер телефона для обратной связи.',
          en: "Check that the operator asked for or confirmed the caller's name and a phone number for calling back.",
        },
        points: 5, answerType: 'yesno', naAllowed: false, critical: false,
        errorCategory: 'information', defaultSeverity: 'minor', standardRef: 'A1.01.3',
      },
      {
        code: 'INFO-4',
        text: {
          uz: 'Jabrlanuvchilar, ularning ahvoli va mavjud xavflar aniqlashtirildi',
          ru: 'Выяснены пострадавшие, их состояние и сохраняющиеся опасности',
          en: 'Victims, their condition and present dangers clarified',
        },
        guidance: {
          uz: "Jabrlanuvchilar soni va ahvoli, shuningdek yong'in, gaz sizishi, qurol kabi davom etayotgan xavflar haqida so'ralganini tekshiring.",
          ru: 'Проверьте, что оператор спросил о числе и состоянии пострадавших и о продолжающихся угрозах: огонь, утечка газа, оружие и т. п.',
          en: 'Check that the operator asked how many people are hurt and how they are, and about ongoing dangers such as fire, a gas leak or a weapon.',
        },
        points: 5, answerType: 'yesno', naAllowed: false, critical: false,
        errorCategory: 'information', defaultSeverity: 'major', standardRef: 'A1.01.3',
      },
      {
        code: 'INFO-5',
        text: {
          uz: 'Fuqaro diqqat bilan tinglandi, aniqlashtiruvchi savollar ortiqcha takrorlarsiz berildi',
          ru: 'Оператор внимательно слушал и задавал уточняющие вопросы без лишних повторов',
          en: 'Listened actively; clarifying questions asked without needless repetition',
        },
        guidance: {
          uz: "0 — fuqaroning gapi bo'lindi, savollar keraksiz takrorlandi; 1 — kamchiliklar ko'p; 2 — ayrim kamchiliklar bor; 3 — diqqat bilan tinglab, faqat kerakli savollar berildi.",
          ru: '0 — перебивал заявителя, без нужды повторял вопросы; 1 — много недочётов; 2 — отдельные недочёты; 3 — внимательно слушал и задавал только нужные вопросы.',
          en: '0 — interrupted the caller, repeated questions needlessly; 1 — many lapses; 2 — occasional lapses; 3 — listened closely and asked only the questions needed.',
        },
        points: 5, answerType: 'scale', scaleMax: 3, naAllowed: false, critical: false,
        errorCategory: 'information', defaultSeverity: 'minor', standardRef: 'A1.01.3',
        autoCheck: { check: 'silence', params: { maxSec: 15 } },
      },
    ],
  },
  {
    key: 'routing',
    title: { uz: "Yo'naltirish", ru: 'Направление вызова', en: 'Routing' },
    criteria: [
      {
        code: 'ROUTE-1',
        text: {
          uz: "Chaqiruv kartasi hodisaga tegishli shoshilinch xizmat(lar)ga to'g'ri yo'naltirildi",
          ru: 'Карточка вызова направлена в нужную экстренную службу (службы)',
          en: 'Card routed to the correct emergency service(s)',
        },
        guidance: {
          uz: "Karta hodisa mazmuniga mos xizmat(lar)ga — 101/1050, 102, 103, 104, 1146 — yuborilganini tekshiring. Noto'g'ri yoki tushirib qoldirilgan xizmat — kritik xato.",
          ru: 'Проверьте, что карточка передана в службы, соответствующие происшествию: 101/1050, 102, 103, 104, 1146. Неверная или пропущенная служба — критическая ошибка.',
          en: 'Check that the card went to the services the incident calls for: 101/1050, 102, 103, 104, 1146. A wrong or missing service is a critical error.',
        },
        points: 10, answerType: 'yesno', naAllowed: false, critical: true,
        errorCategory: 'routing', defaultSeverity: 'critical', standardRef: 'A1.02.3',
      },
      {
        code: 'ROUTE-2',
        text: {
          uz: "Murakkab yoki nostandart holat aniqlandi va supervayzerga yo'naltirildi",
          ru: 'Сложный или нестандартный случай распознан и передан супервайзеру',
          en: 'Complex or non-standard case recognised and passed to the supervisor',
        },
        guidance: {
          uz: "Operator o'zi hal qila olmaydigan yoki yo'riqnomada nazarda tutilmagan holatni payqab, chaqiruvni o'z vaqtida supervayzerga o'tkazganini tekshiring. Oddiy chaqiruv to'g'ri baholangan bo'lsa, «Ha» belgilanadi.",
          ru: 'Проверьте, что оператор распознал случай, который не может решить сам или который не предусмотрен инструкцией, и вовремя передал вызов супервайзеру. Если вызов обычный и оценён верно, отметьте «Да».',
          en: 'Check that the operator recognised a case beyond their authority or outside the instructions and passed the call to the supervisor in time. For an ordinary call judged correctly, answer Yes.',
        },
        points: 10, answerType: 'yesno', naAllowed: false, critical: true,
        errorCategory: 'routing', defaultSeverity: 'critical', standardRef: 'A1.01.3',
      },
    ],
  },
  {
    key: 'card',
    title: { uz: 'Chaqiruv kartasi', ru: 'Карточка вызова', en: 'Call card' },
    criteria: [
      {
        code: 'CARD-1',
        text: {
          uz: "Chaqiruv kartasi to'liq: barcha majburiy maydonlar to'ldirilgan",
          ru: 'Карточка вызова заполнена полностью: все обязательные поля',
          en: 'Call card complete: every mandatory field filled',
        },
        guidance: {
          uz: "Elektron chaqiruv kartasida manzil, hodisa turi, fuqaro ma'lumotlari va boshqa majburiy maydonlar bo'sh qolmaganini tekshiring.",
          ru: 'Проверьте, что в электронной карточке заполнены адрес, тип происшествия, данные заявителя и другие обязательные поля.',
          en: 'Check that the electronic call card has the address, incident type, caller details and every other mandatory field filled in.',
        },
        points: 5, answerType: 'yesno', naAllowed: false, critical: false,
        errorCategory: 'card', defaultSeverity: 'major', standardRef: 'A1.02.3',
        autoCheck: { check: 'cardComplete', params: {} },
      },
      {
        code: 'CARD-2',
        text: {
          uz: "Karta matni aniq, grammatik jihatdan to'g'ri va qabul qiluvchi xizmat uchun tushunarli",
          ru: 'Текст карточки точный, грамотный и понятный принимающей службе',
          en: 'Card text accurate, grammatical and clear to the receiving service',
        },
        guidance: {
          uz: "Izoh hodisani mazmunan to'liq ifodalashini, xatosiz yozilganini va xizmat xodimi uni qayta so'ramasdan tushuna olishini baholang.",
          ru: 'Оцените, передаёт ли описание суть происшествия полностью, написано ли оно без ошибок и поймёт ли его служба без переспрашивания.',
          en: 'Judge whether the description conveys the incident fully, is free of errors, and can be understood by the service without asking back.',
        },
        points: 5, answerType: 'yesno', naAllowed: false, critical: false,
        errorCategory: 'card', defaultSeverity: 'minor', standardRef: 'A1.02.3',
      },
    ],
  },
  {
    key: 'help',
    title: { uz: 'Yordam va maslahat', ru: 'Помощь и консультирование', en: 'Help & guidance' },
    criteria: [
      {
        code: 'HELP-1',
        text: {
          uz: "Zarur hollarda protokolga muvofiq masofaviy dastlabki yordam bo'yicha yo'l-yo'riq berildi",
          ru: 'При необходимости до прибытия служб даны указания по первой помощи согласно протоколу',
          en: 'Pre-arrival / first-aid guidance given per protocol where needed',
        },
        guidance: {
          uz: "Xizmat yetib kelguncha fuqaroga belgilangan protokol bo'yicha dastlabki yordam choralari bosqichma-bosqich tushuntirilganini tekshiring. Yordam talab etilmagan bo'lsa — N/A.",
          ru: 'Проверьте, что до прибытия службы заявителю пошагово объяснили меры первой помощи по утверждённому протоколу. Если помощь не требовалась — N/A.',
          en: 'Check that the caller was talked step by step through first-aid measures per the protocol until help arrived. If none was needed, mark N/A.',
        },
        points: 5, answerType: 'yesno', naAllowed: true, critical: false,
        errorCategory: 'help', defaultSeverity: 'major', standardRef: 'A2.02.3',
      },
      {
        code: 'HELP-2',
        text: {
          uz: 'Hayajonlangan fuqaro tinchlantirildi, uning ruhiy-emotsional holati nazoratda ushlandi',
          ru: 'Взволнованный заявитель успокоен, его эмоциональное состояние под контролем',
          en: "Distressed caller calmed; the caller's emotional state kept in hand",
        },
        guidance: {
          uz: "Operator sokin ohangda gapirib, fuqaroni tinchlantirganini va undan kerakli ma'lumotlarni ola bilganini baholang. Fuqaro xotirjam bo'lsa, «Ha» belgilanadi.",
          ru: 'Оцените, успокоил ли оператор заявителя ровным голосом и смог ли получить нужные сведения. Если заявитель был спокоен, отметьте «Да».',
          en: 'Judge whether the operator calmed the caller with a steady voice and still got the information needed. If the caller was calm, answer Yes.',
        },
        points: 5, answerType: 'yesno', naAllowed: false, critical: false,
        errorCategory: 'help', defaultSeverity: 'major', standardRef: 'A2.03.3',
      },
      {
        code: 'HELP-3',
        text: {
          uz: "O'z joniga qasd qilish xavfi bo'lgan chaqiruvda shoshilinch xizmatlar jalb qilindi va mutaxassis ulandi",
          ru: 'При риске суицида привлечены экстренные службы и подключён специалист',
          en: 'Suicide-risk call: emergency services engaged and a specialist involved',
        },
        guidance: {
          uz: "O'z joniga qasd qilishga uringan yoki bunga moyil fuqaro bilan suhbatda shoshilinch xizmatlar chaqirilganini va chaqiruv tegishli mutaxassisga (psixolog, 1146 xizmati) yo'naltirilganini tekshiring. Bunday xavf bo'lmasa — N/A.",
          ru: 'Проверьте, что в разговоре с человеком, пытавшимся покончить с собой или склонным к этому, были вызваны экстренные службы, а вызов передан профильному специалисту (психолог, служба 1146). Если такого риска не было — N/A.',
          en: 'Check that, with a caller who attempted or is at risk of suicide, emergency services were called out and the call was passed to a specialist (psychologist, the 1146 line). If there was no such risk, mark N/A.',
        },
        points: 10, answerType: 'yesno', naAllowed: true, critical: true,
        errorCategory: 'help', defaultSeverity: 'critical', standardRef: 'A2.03.3',
      },
      {
        code: 'HELP-4',
        text: {
          uz: "Shoshilinch bo'lmagan murojaatda fuqaroga ijtimoiy maslahat berildi yoki u tegishli mutaxassisga yo'naltirildi",
          ru: 'Заявителю с неэкстренным обращением дана социальная консультация или он перенаправлен',
          en: 'Non-emergency caller given social advice or referred',
        },
        guidance: {
          uz: "Fuqaroga sodda va tushunarli tilda maslahat berilganini yoki u kerakli xizmat yoki mutaxassisga yo'naltirilganini tekshiring. Murojaat shoshilinch bo'lsa — N/A.",
          ru: 'Проверьте, что заявителю простым и понятным языком дали совет или направили к нужной службе или специалисту. Если обращение экстренное — N/A.',
          en: 'Check that the caller got advice in plain words or was referred to the right service or specialist. If the call was an emergency, mark N/A.',
        },
        points: 5, answerType: 'yesno', naAllowed: true, critical: false,
        errorCategory: 'help', defaultSeverity: 'minor', standardRef: 'A2.01.3',
      },
    ],
  },
  {
    key: 'communication',
    title: { uz: 'Muloqot madaniyati', ru: 'Культура общения', en: 'Communication' },
    criteria: [
      {
        code: 'COMM-1',
        text: {
          uz: "Fuqaro shoshqaloq yoki norozi bo'lsa ham, sokin va xushmuomala ohang saqlandi",
          ru: 'Тон спокойный и вежливый, в том числе с агрессивным или торопящим заявителем',
          en: 'Calm, polite tone, also with a hostile or hurried caller',
        },
        guidance: {
          uz: "0 — qo'pollik yoki asabiylik; 1 — ohang bir necha marta buzildi; 2 — biroz quruq yoki shoshqaloq, ammo hurmat saqlandi; 3 — butun suhbat davomida sokin va xushmuomala.",
          ru: '0 — грубость или раздражение; 1 — тон несколько раз срывался; 2 — немного сухо или торопливо, но уважительно; 3 — спокойно и вежливо на протяжении всего разговора.',
          en: '0 — rude or irritated; 1 — tone slipped several times; 2 — a little curt or rushed but respectful; 3 — calm and polite throughout.',
        },
        points: 5, answerType: 'scale', scaleMax: 3, naAllowed: false, critical: false,
        errorCategory: 'communication', defaultSeverity: 'minor', standardRef: 'A1.01.3',
        autoCheck: { check: 'talkOver', params: { maxSec: 10 } },
      },
      {
        code: 'COMM-2',
        text: {
          uz: 'Maxfiylik tartibiga rioya qilindi',
          ru: 'Соблюдена конфиденциальность',
          en: 'Confidentiality kept',
        },
        guidance: {
          uz: "Fuqaro va hodisa haqidagi ma'lumotlar begona shaxslarga oshkor qilinmaganini va xizmat ma'lumotlari keragidan ortiq aytilmaganini tekshiring.",
          ru: 'Проверьте, что сведения о заявителе и происшествии не раскрывались посторонним, а служебная информация не сообщалась сверх необходимого.',
          en: 'Check that nothing about the caller or the incident was disclosed to outsiders and no internal information was shared beyond what was needed.',
        },
        points: 5, answerType: 'yesno', naAllowed: false, critical: false,
        errorCategory: 'communication', defaultSeverity: 'major', standardRef: 'A1.01.3',
      },
    ],
  },
  {
    key: 'closing',
    title: { uz: 'Suhbatni yakunlash', ru: 'Завершение разговора', en: 'Closing' },
    criteria: [
      {
        code: 'CLOSE-1',
        text: {
          uz: "Suhbat to'g'ri yakunlandi, fuqaroga keyingi harakatlar tushuntirildi",
          ru: 'Разговор завершён правильно, заявителю объяснено, что будет дальше',
          en: 'Call closed properly; caller told what happens next',
        },
        guidance: {
          uz: "Fuqaroga qaysi xizmat yo'lga chiqqani, u nima qilishi va nimani kutishi kerakligi aytilganini hamda suhbat odob bilan tugatilganini tekshiring.",
          ru: 'Проверьте, что заявителю сказали, какая служба выехала, что ему делать и чего ждать, и что разговор завершён вежливо.',
          en: 'Check that the caller was told which service is on its way, what to do and what to expect, and that the call ended politely.',
        },
        points: 5, answerType: 'yesno', naAllowed: false, critical: false,
        errorCategory: 'closing', defaultSeverity: 'minor', standardRef: 'A1.01.3',
      },
      {
        code: 'CLOSE-2',
        text: {
          uz: "Uzilib qolgan chaqiruvga 3 martagacha qayta qo'ng'iroq qilindi",
          ru: 'На прервавшийся вызов сделан обратный звонок (до 3 попыток)',
          en: 'Dropped call called back, up to 3 attempts',
        },
        guidance: {
          uz: "Suhbat uzilgan bo'lsa, operator fuqaroga 3 martagacha qayta qo'ng'iroq qilganini va zarur bo'lsa kartani qayta rasmiylashtirganini tekshiring. Chaqiruv uzilmagan bo'lsa — N/A.",
          ru: 'Если связь прервалась, проверьте, что оператор перезвонил заявителю до 3 раз и при необходимости переоформил карточку. Если вызов не прерывался — N/A.',
          en: 'If the call dropped, check that the operator called the caller back up to 3 times and re-filed the card if needed. If the call did not drop, mark N/A.',
        },
        points: 5, answerType: 'yesno', naAllowed: true, critical: false,
        errorCategory: 'closing', defaultSeverity: 'major', standardRef: 'A1.03.3',
        autoCheck: { check: 'callback', params: { withinMin: 10, maxAttempts: 3 } },
      },
    ],
  },
];

/** A fresh copy of the default definition each call, so a caller's edits never leak into the next. */
export function defaultRubricDefinition(): RubricDefinition {
  return structuredClone({ sections: SECTIONS });
}

/** The default rubric's criterion codes in display order. */
export const DEFAULT_RUBRIC_CODES: readonly string[] = Object.freeze(
  SECTIONS.flatMap((s) => s.criteria.map((c: Criterion) => c.code)),
);
