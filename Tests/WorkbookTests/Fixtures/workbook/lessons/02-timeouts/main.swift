import LessonKit

// TODO: close idle clients.
