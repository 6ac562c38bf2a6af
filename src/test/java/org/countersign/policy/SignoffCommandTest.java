package org.countersign.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignoffCommandTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', nullValues = "NONE", textBlock = """
            /signoff                                           | ''
            /signoff checked the backup job ran                | checked the backup job ran
            '   /SignOff   restore tested   '                  | restore tested
            'Looks good.\\n/signoff\\nrestore tested\\nsizes ok' | restore tested\\nsizes ok
            'first line\\n/signoff verified cron entry'         | verified cron entry
            /signoffs                                          | NONE
            /signoff-later                                     | NONE
            please /signoff this                               | NONE
            '> /signoff quoted from someone else'              | NONE
            '```\\n/signoff in a code block\\n```'              | NONE
            'text\\r\\n/signoff windows line ending\\r\\n'        | windows line ending
            ''                                                 | NONE
            """)
    void recognisesSignoffLines(String body, String expected) {
        String unescaped = body.replace("\\n", "\n").replace("\\r", "\r");
        Optional<String> want = expected == null ? Optional.empty() : Optional.of(expected.replace("\\n", "\n"));
        assertEquals(want, SignoffCommand.parse(unescaped));
    }
}
