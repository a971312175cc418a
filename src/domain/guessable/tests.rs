use super::*;

fn flaw12(password: &str, context: &[&str]) -> Option<Flaw> {
    flaw(password, 12, context)
}

#[test]
fn context_word_derivatives_are_found() {
    for password in [
        "portcullis2024",
        "Portcullis123!",
        "PORTCULLIS-PORTCULLIS",
        "P O R T C U L L I S 1 2",
        "ＰＯＲＴＣＵＬＬＩＳ２０２４",
        "P0rtcull1s!2024",
        "sillucTROP2024!",
        "my.portcullis.99",
    ] {
        assert_eq!(flaw12(password, &[]), Some(Flaw::ContextWord), "{password}");
    }
    for password in [
        "fiona1990!!!",
        "Fiona_1990_Fiona",
        "margaret.hamilton.1936",
        "HamiltonMargaret#1",
        "margaret2024hello",
    ] {
        let context = ["fiona", "Margaret.Hamilton"];
        assert_eq!(
            flaw12(password, &context),
            Some(Flaw::ContextWord),
            "{password}"
        );
    }
}

#[test]
fn context_words_inside_real_passphrases_are_fine() {
    let context = ["fiona"];
    for password in [
        "fiona grows wild thyme by the sea",
        "leave me alone, my dear portcullis",
        "the portcullis of the old castle creaks",
    ] {
        assert_eq!(flaw12(password, &context), None, "{password}");
    }
}

#[test]
fn short_context_words_count_only_when_they_are_the_whole_password() {
    let context = ["al"];
    for password in [
        "totally normal passphrase",
        "always alert at dawn",
        "albatross of the southern seas",
    ] {
        assert_eq!(flaw12(password, &context), None, "{password}");
    }
    assert_eq!(flaw12("al2024!!!!!!#", &context), Some(Flaw::ContextWord));
    assert_eq!(
        flaw12("AL-AL-1987-11-05", &context),
        Some(Flaw::ContextWord)
    );
}

#[test]
fn repetitive_strings_are_found() {
    for password in [
        "aaaaaaaaaaaa",
        "abcabcabcabc",
        "ababababababab",
        "aaaa aaaa aaaa",
        "a\u{200B}a\u{200B}a\u{200B}a\u{200B}a\u{200B}a\u{200B}a\u{200B}",
        "x7#kQ2x7#kQ2",
        "abcabcabcab",
        "aaaaaaaaaaa1",
        "!!!!!!!!!!!!",
        "ЖЖЖЖЖЖЖЖЖЖЖЖ",
        "猫猫猫猫猫猫猫猫猫猫猫猫",
        &"ab".repeat(300),
    ] {
        assert_eq!(flaw12(password, &[]), Some(Flaw::Repetitive), "{password}");
    }
    // A unit that is a good password on its own, typed twice, is not "short".
    assert_eq!(
        flaw12("purple elephants dance purple elephants dance", &[]),
        None
    );
}

#[test]
fn sequential_strings_are_found() {
    for password in [
        "123456789012",
        "abcdefghijkl",
        "ABCDEFGHIJKL",
        "zyxwvutsrqpo",
        "13579bdfhjln",
        "1234567890-=",
        "zxcvbnm,./;'",
        "abcdefghijk!",
    ] {
        assert_eq!(flaw12(password, &[]), Some(Flaw::Sequential), "{password}");
    }
}

#[test]
fn arbitrary_text_never_panics() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(15);
    let pools = [
        'a'..='z',
        '0'..='9',
        '\u{0300}'..='\u{036F}',
        'Ꭰ'..='ꮿ',
        'İ'..='ſ',
        '\u{2000}'..='\u{206F}',
    ];
    for _ in 0..100 {
        let text: String = (0..rng.gen_range(1..80))
            .map(|_| {
                let pool = pools[rng.gen_range(0..pools.len())].clone();
                let (lo, hi) = (*pool.start() as u32, *pool.end() as u32);
                char::from_u32(rng.gen_range(lo..=hi)).unwrap_or('x')
            })
            .collect();
        let _ = flaw(&text, 12, &["İlkay", "a", "ᏣᎳᎩ"]);
    }
}

#[test]
fn realistic_passphrases_in_many_scripts_have_no_flaw() {
    let context = ["fiona.macleod"];
    for password in [
        "correct horse battery staple",
        "Tomorrow we sail for Valparaíso at dawn",
        "Grüße aus Zürich, seit 1291",
        "unsworn-cobweb-paddle-zesty-ample",
        "x7#Qm!2vL9@pR4zW",
        "ZUgdh7-qF3kE-wB9mT",
        "мой кот любит спать на окне",
        "η γάτα μου κοιμάται στο παράθυρο",
        "私の猫は窓辺で寝るのが好きです",
        "القطة تنام على النافذة كل يوم",
        "मेरी बिल्ली खिड़की पर सोती है",
        "내 고양이는 창가에서 자는 것을 좋아해",
        "purple elephants dance at 3am",
    ] {
        assert_eq!(flaw12(password, &context), None, "{password}");
    }
}
