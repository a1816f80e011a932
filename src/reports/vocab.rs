//! The words meeting platforms print in each interface language, as data: one table per
//! language for Teams (headers, the events of the 2020 attendance list), one per language
//! for Zoom (headers, yes and no), one each for Webex and Google Meet (headers) and one
//! table of duration units. The parsers look words up here and never branch on a
//! language.
//!
//! Verified against real exports (tests/data/attendance/real/): for Teams English (also
//! the webinar and live-event reports), French, Portuguese, Indonesian and Polish (the
//! current layout's section 2), for Zoom English (meeting and webinar), Russian and
//! Japanese, for Webex and Google Meet English. The other tables follow the platforms'
//! published interface strings as far as they are known; an export that uses other words is refused with a
//! message naming its headers, and the fix is a line here.

/// What a column holds, whatever the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Name,
    Email,
    /// Teams webinars: the address given at registration (guests have no `Email`).
    RegistrationEmail,
    /// Teams section 2: first join and last leave of a person (gaps in between).
    FirstJoin,
    LastLeave,
    /// One stay: join and leave.
    Join,
    Leave,
    Duration,
    /// The 2020 attendance list: `User Action` and `Timestamp`.
    Action,
    Timestamp,
    /// Live events: the time in UTC; which viewing session (one device, `Session Id`) an
    /// event is of; who the viewer is (`Participant Id`: their sign-in address, empty for
    /// anonymous viewers).
    UtcTimestamp,
    Device,
    Participant,
}

/// An event of the Teams 2020 attendance list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Event {
    Joined,
    Left,
}

/// One interface language of Teams.
pub(super) struct Language {
    pub code: &'static str,
    pub headers: &'static [(Field, &'static str)],
    pub events: &'static [(Event, &'static str)],
}

use std::collections::HashMap;
use std::sync::LazyLock;

use Event::{Joined, Left};
use Field::*;

pub(super) const TEAMS: &[Language] = &[
    Language {
        code: "en",
        headers: &[
            (Name, "Name"),
            (Name, "Full Name"),
            (Name, "Participant Name"),
            (Email, "Email"),
            (Email, "E-mail"),
            (Email, "Email Address"),
            (RegistrationEmail, "Registration Email"),
            (FirstJoin, "First Join"),
            (FirstJoin, "First Join Time"),
            (LastLeave, "Last Leave"),
            (LastLeave, "Last Leave Time"),
            (Join, "Join Time"),
            (Leave, "Leave Time"),
            (Duration, "In-Meeting Duration"),
            (Duration, "Duration"),
            (Duration, "Attendance Duration"),
            (Action, "User Action"),
            (Action, "Action"),
            (Timestamp, "Timestamp"),
            (UtcTimestamp, "UTC Event Timestamp"),
            (Device, "Session Id"),
            (Participant, "Participant Id"),
        ],
        events: &[
            (Joined, "Joined"),
            (Joined, "Joined before"),
            (Left, "Left"),
        ],
    },
    Language {
        code: "fr",
        headers: &[
            (Name, "Nom complet"),
            (Name, "Nom"),
            (Email, "E-mail"),
            (Email, "Adresse e-mail"),
            (RegistrationEmail, "E-mail d'inscription"),
            (FirstJoin, "Première arrivée"),
            (FirstJoin, "Première participation"),
            (LastLeave, "Dernier départ"),
            (Join, "Heure d'arrivée"),
            (Leave, "Heure de départ"),
            (Duration, "Durée"),
            (Duration, "Durée de la réunion"),
            (Action, "Action de l'utilisateur"),
            (Timestamp, "Horodatage"),
        ],
        events: &[
            (Joined, "A rejoint"),
            (Joined, "Rejoint"),
            (Joined, "Rejoint avant"),
            (Left, "A quitté"),
            (Left, "Parti"),
        ],
    },
    Language {
        code: "es",
        headers: &[
            (Name, "Nombre completo"),
            (Name, "Nombre"),
            (Email, "Correo electrónico"),
            (RegistrationEmail, "Correo electrónico de registro"),
            (FirstJoin, "Primera unión"),
            (FirstJoin, "Primera entrada"),
            (LastLeave, "Última salida"),
            (Join, "Hora de unión"),
            (Join, "Hora de entrada"),
            (Leave, "Hora de salida"),
            (Duration, "Duración"),
            (Duration, "Duración en la reunión"),
            (Action, "Acción del usuario"),
            (Timestamp, "Marca de tiempo"),
        ],
        events: &[
            (Joined, "Unido"),
            (Joined, "Se unió"),
            (Joined, "Unido antes"),
            (Left, "Salió"),
            (Left, "Abandonó"),
        ],
    },
    Language {
        code: "pt",
        headers: &[
            (Name, "Nome Completo"),
            (Name, "Nome"),
            (Email, "Email"),
            (Email, "E-mail"),
            (RegistrationEmail, "Email de registro"),
            (FirstJoin, "Primeira entrada"),
            (LastLeave, "Última saída"),
            (Join, "Hora de entrada"),
            (Leave, "Hora de saída"),
            (Duration, "Duração"),
            (Duration, "Duração na reunião"),
            (Action, "Atividade"),
            (Timestamp, "Data e hora"),
        ],
        events: &[(Joined, "Entrou"), (Joined, "Entrou antes"), (Left, "Saiu")],
    },
    Language {
        code: "de",
        headers: &[
            (Name, "Vollständiger Name"),
            (Name, "Name"),
            (Email, "E-Mail"),
            (Email, "E-Mail-Adresse"),
            (RegistrationEmail, "Registrierungs-E-Mail"),
            (FirstJoin, "Erster Beitritt"),
            (FirstJoin, "Erste Teilnahme"),
            (LastLeave, "Letztes Verlassen"),
            (Join, "Beitrittszeit"),
            (Join, "Teilnahmezeit"),
            (Leave, "Zeitpunkt des Verlassens"),
            (Leave, "Verlassenszeit"),
            (Duration, "Dauer"),
            (Duration, "Dauer in der Besprechung"),
            (Action, "Benutzeraktion"),
            (Timestamp, "Zeitstempel"),
        ],
        events: &[
            (Joined, "Beigetreten"),
            (Joined, "Vorher beigetreten"),
            (Left, "Verlassen"),
            (Left, "Hat verlassen"),
        ],
    },
    Language {
        code: "it",
        headers: &[
            (Name, "Nome completo"),
            (Email, "Indirizzo di posta elettronica"),
            (RegistrationEmail, "Posta elettronica di registrazione"),
            (FirstJoin, "Primo ingresso"),
            (FirstJoin, "Prima partecipazione"),
            (LastLeave, "Ultima uscita"),
            (Join, "Ora di ingresso"),
            (Join, "Ora di partecipazione"),
            (Leave, "Ora di uscita"),
            (Duration, "Durata"),
            (Duration, "Durata della riunione"),
            (Action, "Azione utente"),
            (Timestamp, "Data e ora"),
        ],
        events: &[
            (Joined, "Partecipazione"),
            (Joined, "Ha partecipato"),
            (Left, "Uscita"),
            (Left, "Ha abbandonato"),
        ],
    },
    Language {
        code: "pl",
        headers: &[
            (Name, "Imię i nazwisko"),
            (Email, "Adres e-mail"),
            (Email, "E-mail"),
            (RegistrationEmail, "Adres e-mail rejestracji"),
            (FirstJoin, "Pierwsze dołączenie"),
            (LastLeave, "Ostatnie opuszczenie"),
            (LastLeave, "Ostatnie wyjście"),
            (Join, "Godzina dołączenia"),
            (Leave, "Godzina opuszczenia"),
            (Duration, "Czas trwania"),
            (Duration, "Czas trwania spotkania"),
            (Duration, "Czas udziału w spotkaniu"),
            (Action, "Akcja użytkownika"),
            (Timestamp, "Sygnatura czasowa"),
        ],
        events: &[
            (Joined, "Dołączono"),
            (Joined, "Dołączył"),
            (Left, "Opuszczono"),
            (Left, "Opuścił"),
        ],
    },
    Language {
        code: "ru",
        headers: &[
            (Name, "Полное имя"),
            (Name, "Имя"),
            (Email, "Адрес электронной почты"),
            (Email, "Электронная почта"),
            (FirstJoin, "Первое присоединение"),
            (LastLeave, "Последний выход"),
            (Join, "Время присоединения"),
            (Leave, "Время выхода"),
            (Duration, "Длительность"),
            (Duration, "Продолжительность"),
            (Action, "Действие пользователя"),
            (Timestamp, "Метка времени"),
        ],
        events: &[
            (Joined, "Присоединился"),
            (Joined, "Присоединился ранее"),
            (Left, "Вышел"),
            (Left, "Покинул"),
        ],
    },
    Language {
        code: "ar",
        headers: &[
            (Name, "الاسم الكامل"),
            (Name, "الاسم"),
            (Email, "البريد الإلكتروني"),
            (FirstJoin, "أول انضمام"),
            (LastLeave, "آخر مغادرة"),
            (Join, "وقت الانضمام"),
            (Leave, "وقت المغادرة"),
            (Duration, "المدة"),
            (Action, "إجراء المستخدم"),
            (Timestamp, "الطابع الزمني"),
        ],
        events: &[(Joined, "انضم"), (Joined, "انضم قبل"), (Left, "غادر")],
    },
    Language {
        code: "zh",
        headers: &[
            (Name, "全名"),
            (Name, "姓名"),
            (Name, "名称"),
            (Email, "电子邮件"),
            (FirstJoin, "首次加入"),
            (LastLeave, "最后离开"),
            (LastLeave, "上次离开"),
            (Join, "加入时间"),
            (Leave, "离开时间"),
            (Duration, "持续时间"),
            (Duration, "会议中持续时间"),
            (Action, "用户操作"),
            (Timestamp, "时间戳"),
        ],
        events: &[(Joined, "已加入"), (Joined, "之前已加入"), (Left, "已离开")],
    },
    Language {
        code: "id",
        headers: &[
            (Name, "Nama"),
            (Name, "Nama Lengkap"),
            (Email, "Email"),
            (Join, "Waktu Bergabung"),
            (Leave, "Waktu Keluar"),
            (Duration, "Durasi"),
        ],
        events: &[(Joined, "Bergabung"), (Left, "Keluar")],
    },
];

/// What a column of a Zoom export holds, whatever the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum ZoomField {
    Name,
    FirstName,
    LastName,
    Email,
    /// The webinar attendee report: `Yes` or `No`.
    Attended,
    /// Meeting participants: `Yes` on the rows of time spent in the waiting room.
    Waiting,
    Join,
    Leave,
    Minutes,
    /// A usage report's meeting columns, before the participant's: which meeting a row
    /// is of (its ID), what it is called and when it started.
    MeetingId,
    Topic,
    MeetingStart,
}

/// One interface language of Zoom's exports: its headers, each field's in the order
/// they are preferred (`User Name (Original Name)` before `Name`), and its yes and no.
pub(super) struct ZoomLanguage {
    pub headers: &'static [(ZoomField, &'static str)],
    pub yes: &'static str,
    pub no: &'static str,
}

pub(super) const ZOOM: &[ZoomLanguage] = &[
    // English
    ZoomLanguage {
        headers: &[
            (ZoomField::Name, "User Name (Original Name)"),
            (ZoomField::Name, "Name (Original Name)"),
            (ZoomField::Name, "User Name"),
            (ZoomField::Name, "Name"),
            (ZoomField::FirstName, "First Name"),
            (ZoomField::LastName, "Last Name"),
            (ZoomField::Email, "Email"),
            (ZoomField::Email, "User Email"),
            (ZoomField::Email, "Email Address"),
            (ZoomField::Email, "E-mail"),
            (ZoomField::Attended, "Attended"),
            (ZoomField::Waiting, "In Waiting Room"),
            (ZoomField::Join, "Join Time"),
            (ZoomField::Leave, "Leave Time"),
            (ZoomField::Minutes, "Time in Session (minutes)"),
            (ZoomField::Minutes, "Duration (Minutes)"),
            (ZoomField::Minutes, "Total Duration (Minutes)"),
            (ZoomField::Minutes, "Duration"),
            (ZoomField::MeetingId, "Meeting ID"),
            (ZoomField::MeetingId, "ID"),
            (ZoomField::Topic, "Topic"),
            (ZoomField::MeetingStart, "Start Time"),
        ],
        yes: "Yes",
        no: "No",
    },
    // Russian, verified against a real export (real/zoom-meeting-2025-ru.csv)
    ZoomLanguage {
        headers: &[
            (ZoomField::Name, "Имя (первоначальное имя)"),
            (ZoomField::Email, "Электронная почта"),
            (ZoomField::Waiting, "В зале ожидания"),
            (ZoomField::Join, "Время подключения"),
            (ZoomField::Leave, "Время отключения"),
            (ZoomField::Minutes, "Длительность (мин)"),
        ],
        yes: "Да",
        no: "Нет",
    },
    // Japanese, verified against a real export re-saved by a spreadsheet
    // (real/zoom-meeting-2020-ja-excel.csv)
    ZoomLanguage {
        headers: &[
            (ZoomField::Name, "名前 (元の名前)"),
            (ZoomField::Email, "ユーザーメール"),
            (ZoomField::Join, "参加時刻"),
            (ZoomField::Leave, "退出時刻"),
            (ZoomField::Minutes, "所要時間（分）"),
        ],
        yes: "はい",
        no: "いいえ",
    },
];

static ZOOM_WORDS: LazyLock<HashMap<ZoomField, Vec<&'static str>>> = LazyLock::new(|| {
    let mut words: HashMap<ZoomField, Vec<&'static str>> = HashMap::new();
    for (field, text) in ZOOM.iter().flat_map(|l| l.headers.iter()) {
        words.entry(*field).or_default().push(text);
    }
    words
});

/// The headers naming `field` in a Zoom export, every language's, the preferred first.
pub(super) fn zoom_words(field: ZoomField) -> &'static [&'static str] {
    ZOOM_WORDS.get(&field).map_or(&[], Vec::as_slice)
}

/// Whether a Zoom cell says yes, in any language.
pub(super) fn zoom_yes(cell: &str) -> bool {
    ZOOM.iter().any(|l| same(l.yes, cell))
}

/// Whether a Zoom cell says no, in any language.
pub(super) fn zoom_no(cell: &str) -> bool {
    ZOOM.iter().any(|l| same(l.no, cell))
}

/// What a column of a Webex or Google Meet attendance export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SheetField {
    Name,
    /// Google Meet puts the whole display name here and leaves `Last name` empty for
    /// people outside the organisation.
    FirstName,
    LastName,
    Email,
    Join,
    Leave,
    Duration,
    /// A column only this platform writes (with a name, join and leave it says whose
    /// export this is).
    Mark,
}

/// Webex Meetings / Webex Events attendee report (`Event Name⇥Event Start Time⇥Event End
/// Time⇥Name⇥Attendee Email⇥Join Time⇥Leave Time⇥Attendance Duration⇥Connection Type`,
/// UTF-16 with tabs as downloaded, or re-saved with commas). Verified in English against
/// a real export; the meeting variant (`Meeting Name, Meeting Start Time, Meeting End
/// Time, Display Name, First Name, Last Name, Role, Attendee Email, Join Time, Leave Time,
/// Attendance Duration, Connection Type, Session Name`) and its Portuguese headers are
/// the column lists of programs that read these exports.
pub(super) const WEBEX: &[(SheetField, &str)] = &[
    // English
    (SheetField::Name, "Name"),
    (SheetField::Name, "Display Name"),
    (SheetField::Name, "Attendee Name"),
    (SheetField::FirstName, "First Name"),
    (SheetField::LastName, "Last Name"),
    (SheetField::Email, "Attendee Email"),
    (SheetField::Email, "Email"),
    (SheetField::Join, "Join Time"),
    (SheetField::Leave, "Leave Time"),
    (SheetField::Duration, "Attendance Duration"),
    (SheetField::Duration, "Duration"),
    (SheetField::Mark, "Attendee Email"),
    (SheetField::Mark, "Connection Type"),
    (SheetField::Mark, "Event Name"),
    (SheetField::Mark, "Event Start Time"),
    (SheetField::Mark, "Meeting Name"),
    (SheetField::Mark, "Meeting Start Time"),
    // Portuguese
    (SheetField::Name, "Nome de exibição"),
    (SheetField::FirstName, "Nome"),
    (SheetField::LastName, "Sobrenome"),
    (SheetField::Email, "E-mail do convidado"),
    (SheetField::Join, "Hora da entrada"),
    (SheetField::Leave, "Hora da saída"),
    (SheetField::Duration, "Duração da presença"),
    (SheetField::Mark, "E-mail do convidado"),
    (SheetField::Mark, "Tipo de conexão"),
    (SheetField::Mark, "Nome da reunião"),
];

/// Google Meet attendance report (`First name,Last name,Email,Duration,Time joined,Time
/// exited`; times of day without a date, the day being the meeting's; durations such as
/// `1 hr 52 mins`). Verified in English against real exports.
pub(super) const MEET: &[(SheetField, &str)] = &[
    (SheetField::FirstName, "First name"),
    (SheetField::LastName, "Last name"),
    (SheetField::Name, "Name"),
    (SheetField::Name, "Participant name"),
    (SheetField::Email, "Email"),
    (SheetField::Duration, "Duration"),
    (SheetField::Join, "Time joined"),
    (SheetField::Leave, "Time exited"),
    (SheetField::Mark, "Time joined"),
    (SheetField::Mark, "Time exited"),
];

/// Index of the first header cell naming `field` in `table`.
pub(super) fn sheet_col(
    table: &[(SheetField, &str)],
    header: &[String],
    field: SheetField,
) -> Option<usize> {
    table
        .iter()
        .filter(|(f, _)| *f == field)
        .find_map(|(_, word)| header.iter().position(|h| same(h, word)))
}

/// Teams writes these in the first cell of a section title or a header whatever the
/// language; seeing one and no known header means "Teams, in a language not read yet".
pub(super) const TEAMS_MARKS: &[&str] = &["participant id (upn)", "1. ", "2. ", "3. "];

/// Duration units as Teams prints them per language (`1h 2m 3s`, `2 h 44 m`,
/// `2 godz. 18 min 8 s`, `1 ч 5 мин`), with their length in seconds. A trailing dot is
/// dropped before the lookup.
pub(super) const DURATION_UNITS: &[(&str, u64)] = &[
    // English
    ("h", 3600),
    ("hr", 3600),
    ("hrs", 3600),
    ("hour", 3600),
    ("hours", 3600),
    ("m", 60),
    ("min", 60),
    ("mins", 60),
    ("minute", 60),
    ("minutes", 60),
    ("s", 1),
    ("sec", 1),
    ("secs", 1),
    ("second", 1),
    ("seconds", 1),
    // German, Spanish, Portuguese, Italian, French
    ("std", 3600),
    ("sek", 1),
    ("seg", 1),
    // Polish
    ("godz", 3600),
    // Russian
    ("ч", 3600),
    ("мин", 60),
    ("с", 1),
    ("сек", 1),
    // Arabic
    ("س", 3600),
    ("ساعة", 3600),
    ("د", 60),
    ("دقيقة", 60),
    ("ث", 1),
    ("ثانية", 1),
    // Chinese
    ("小时", 3600),
    ("时", 3600),
    ("分钟", 60),
    ("分", 60),
    ("秒", 1),
    // Indonesian
    ("j", 3600),
    ("jam", 3600),
    ("mnt", 60),
    ("dtk", 1),
];

/// Words some languages put between a date and its time (`13/04/2021 à 09:01:31`).
pub(super) const DATE_TIME_JOINERS: &[&str] = &["à", "um", "a las", "às", "alle", "в", "o"];

/// Every header and event word of every language, lower-cased, for one hash lookup
/// per cell (a report has as many cells as a large meeting's rows).
struct Lookup {
    fields: HashMap<String, Field>,
    events: HashMap<String, Event>,
}

static LOOKUP: LazyLock<Lookup> = LazyLock::new(|| Lookup {
    fields: TEAMS
        .iter()
        .flat_map(|l| l.headers.iter())
        .map(|(f, text)| (text.to_lowercase(), *f))
        .collect(),
    events: TEAMS
        .iter()
        .flat_map(|l| l.events.iter())
        .map(|(e, text)| (text.to_lowercase(), *e))
        .collect(),
});

/// The field a header cell names, in any language.
pub(super) fn field_of(cell: &str) -> Option<Field> {
    if cell.is_empty() || cell.len() > 64 {
        return None;
    }
    LOOKUP.fields.get(&cell.to_lowercase()).copied()
}

/// The event an action cell names, in any language.
pub(super) fn event_of(cell: &str) -> Option<Event> {
    LOOKUP.events.get(&cell.to_lowercase()).copied()
}

pub(super) fn unit_seconds(unit: &str) -> Option<u64> {
    let unit = unit.trim_end_matches('.');
    DURATION_UNITS
        .iter()
        .find(|(u, _)| same(u, unit))
        .map(|(_, s)| *s)
}

/// Case-insensitive comparison that also holds outside ASCII.
pub(super) fn same(a: &str, b: &str) -> bool {
    a.len() <= b.len() * 2
        && b.len() <= a.len() * 2
        && a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_names_the_columns_an_import_needs() {
        for l in TEAMS {
            for needed in [Name, Duration] {
                assert!(
                    l.headers.iter().any(|(f, _)| *f == needed),
                    "{}: {needed:?}",
                    l.code
                );
            }
            assert!(l.events.iter().any(|(e, _)| *e == Joined), "{}", l.code);
            assert!(l.events.iter().any(|(e, _)| *e == Left), "{}", l.code);
        }
        assert!(TEAMS.len() >= 10);
    }

    #[test]
    fn every_zoom_language_names_the_columns_an_import_needs() {
        for (i, l) in ZOOM.iter().enumerate() {
            for needed in [ZoomField::Name, ZoomField::Join, ZoomField::Minutes] {
                assert!(
                    l.headers.iter().any(|(f, _)| *f == needed),
                    "language {i}: {needed:?}"
                );
            }
        }
        assert_eq!(
            zoom_words(ZoomField::Name)[..2],
            ["User Name (Original Name)", "Name (Original Name)"]
        );
        assert!(zoom_yes("да") && zoom_yes("YES") && zoom_no("Нет") && !zoom_yes("No"));
    }

    #[test]
    fn lookups_ignore_case_in_any_script() {
        assert_eq!(field_of("NOM COMPLET"), Some(Name));
        assert_eq!(field_of("Imię i nazwisko"), Some(Name));
        assert_eq!(field_of("heure d'arrivée"), Some(Join));
        assert_eq!(event_of("joined before"), Some(Joined));
        assert_eq!(event_of("Saiu"), Some(Left));
        assert_eq!(unit_seconds("godz."), Some(3600));
        assert_eq!(unit_seconds("МИН"), Some(60));
        assert_eq!(field_of("Shoe size"), None);
    }
}
