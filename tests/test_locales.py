"""German, French, Spanish, Italian, Portuguese, Dutch and Polish said as their readers say them,
and split into sentences where their readers hear them end."""

from __future__ import annotations

import pytest

from articast.script import split_sentences, to_spoken

# What is written, and what a native reader says: numbers with the language's separators,
# ordinals, years, dates, times, money, percentages, units and abbreviations, in sentences as
# newspapers write them.
CASES = {
"de": [
 ("Am 3. März 2025 kam die Regierung zusammen.", "Am dritten März zweitausendfünfundzwanzig kam die Regierung zusammen."),
 ("Der Haushalt sieht 476,8 Mrd. Euro vor.", "Der Haushalt sieht vierhundertsechsundsiebzig Komma acht Milliarden Euro vor."),
 ("Ein Ticket kostet 12,50 €.", "Ein Ticket kostet zwölf Euro und fünfzig Cent."),
 ("Die Sitzung beginnt um 9:30 Uhr.", "Die Sitzung beginnt um neun Uhr dreißig."),
 ("Der Laden öffnet um 14 Uhr.", "Der Laden öffnet um vierzehn Uhr."),
 ("Im 2. Quartal stieg der Umsatz.", "Im zweiten Quartal stieg der Umsatz."),
 ("Die Inflation lag bei 2,4 %.", "Die Inflation lag bei zwei Komma vier Prozent."),
 ("Rund 1.200 Menschen kamen.", "Rund eintausendzweihundert Menschen kamen."),
 ("Sie hat 1 Kind.", "Sie hat ein Kind."),
 ("Das Spiel endete 2:1.", "Das Spiel endete zwei zu eins."),
 ("Die Temperatur fiel auf -5 °C.", "Die Temperatur fiel auf minus fünf Grad Celsius."),
 ("Er lief 100 m in 9,58 s.", "Er lief einhundert Meter in neun Komma achtundfünfzig Sekunden."),
 ("Die Jahre 1914-1918.", "Die Jahre neunzehnhundertvierzehn bis neunzehnhundertachtzehn."),
 ("In den 1990er Jahren.", "In den neunzehnhundertneunziger Jahren."),
 ("Das gilt z. B. für Kinder.", "Das gilt zum Beispiel für Kinder."),
 ("Dr. Weber sprach zuerst.", "Doktor Weber sprach zuerst."),
 ("Der 3. Oktober ist ein Feiertag.", "Der dritte Oktober ist ein Feiertag."),
 ("Im Jahr 1989 fiel die Mauer.", "Im Jahr neunzehnhundertneunundachtzig fiel die Mauer."),
 ("Die Strecke ist 42,2 km lang.", "Die Strecke ist zweiundvierzig Komma zwei Kilometer lang."),
 ("Es hatte 21 °C.", "Es hatte einundzwanzig Grad Celsius."),
 ("Das Werk hat ca. 300 Mitarbeiter.", "Das Werk hat circa dreihundert Mitarbeiter."),
 ("Das kostet 3,5 Mio. Euro.", "Das kostet drei Komma fünf Millionen Euro."),
 ("Siehe Nr. 7, d. h. den Anhang.", "Siehe Nummer sieben, das heißt den Anhang."),
],
"fr": [
 ("Le 2e arrondissement est calme.", "Le deuxième arrondissement est calme."),
 ("Le 1er mars, tout a changé.", "Le premier mars, tout a changé."),
 ("M. Dupont est arrivé.", "Monsieur Dupont est arrivé."),
 ("Mme Martin a répondu.", "Madame Martin a répondu."),
 ("Le chômage est de 7,1 %.", "Le chômage est de sept virgule un pour cent."),
 ("Le train de 21 h 30 est parti.", "Le train de vingt et une heures trente est parti."),
 ("Le billet coûte 12,50 €.", "Le billet coûte douze euros et cinquante centimes."),
 ("Voir p. 12 du rapport.", "Voir page douze du rapport."),
 ("Il y avait 1 250 personnes.", "Il y avait mille deux cent cinquante personnes."),
 ("C'est la 1re fois.", "C'est la première fois."),
 ("En 1984, déjà.", "En mille neuf cent quatre-vingt-quatre, déjà."),
 ("Il fait 21 °C.", "Il fait vingt et un degrés Celsius."),
 ("Le budget atteint 476,8 milliards d'euros.", "Le budget atteint quatre cent soixante-seize virgule huit milliards d'euros."),
 ("La course fait 42 km.", "La course fait quarante-deux kilomètres."),
 ("Rendez-vous à 9 h.", "Rendez-vous à neuf heures."),
 ("Il a vu le film etc.", "Il a vu le film et cetera."),
 ("Le XXe siècle.", "Le vingtième siècle."),
 ("Le match s'est terminé 2-1.", "Le match s'est terminé deux à un."),
 ("Le 14 juillet 1789.", "Le quatorze juillet mille sept cent quatre-vingt-neuf."),
],
"es": [
 ("El Sr. García llegó tarde.", "El señor García llegó tarde."),
 ("Nos vemos a las 10:15.", "Nos vemos a las diez y quince."),
 ("Lea la pág. 23 del informe.", "Lea la página veintitrés del informe."),
 ("El 1.º de mayo es festivo.", "El primero de mayo es festivo."),
 ("La entrada cuesta 12,50 €.", "La entrada cuesta doce euros con cincuenta céntimos."),
 ("Un plan de 1.200 millones.", "Un plan de mil doscientos millones."),
 ("El 45 % votó que sí.", "El cuarenta y cinco por ciento votó que sí."),
 ("Es la 2.ª vez.", "Es la segunda vez."),
 ("En 1984 todo cambió.", "En mil novecientos ochenta y cuatro todo cambió."),
 ("Faltan 3,5 km.", "Faltan tres coma cinco kilómetros."),
 ("La Sra. López habló.", "La señora López habló."),
 ("Llegó a la 1:30.", "Llegó a la una y treinta."),
 ("Hay 21 alumnos.", "Hay veintiún alumnos."),
 ("La inflación fue del 2,4 %.", "La inflación fue del dos coma cuatro por ciento."),
 ("Costó 300 €.", "Costó trescientos euros."),
 ("Vinieron 21 personas.", "Vinieron veintiuna personas."),
 ("Hay 200 casas.", "Hay doscientas casas."),
 ("Pasaron 21 días.", "Pasaron veintiún días."),
 ("El siglo XX.", "El siglo veinte."),
 ("Son las 8:00.", "Son las ocho."),
],
"it": [
 ("Il Sig. Rossi è arrivato.", "Il signor Rossi è arrivato."),
 ("Ci vediamo alle 10:15.", "Ci vediamo alle dieci e quindici."),
 ("L'inflazione è all'1,8 per cento.", "L'inflazione è all'uno virgola otto per cento."),
 ("Il biglietto costa 12,50 €.", "Il biglietto costa dodici euro e cinquanta centesimi."),
 ("Il 1º maggio è festa.", "Il primo maggio è festa."),
 ("Vedi pag. 4.", "Vedi pagina quattro."),
 ("Sono 1.200 persone.", "Sono milleduecento persone."),
 ("Il 45 % ha votato.", "Il quarantacinque per cento ha votato."),
 ("Nel 1984 tutto cambiò.", "Nel millenovecentottantaquattro tutto cambiò."),
 ("Mancano 3,5 km.", "Mancano tre virgola cinque chilometri."),
 ("La Dott.ssa Bianchi parla.", "La dottoressa Bianchi parla."),
 ("Libri, quaderni ecc.", "Libri, quaderni eccetera."),
 ("Fa 21 °C.", "Fa ventuno gradi."),
 ("Costa 300 €.", "Costa trecento euro."),
 ("La 2ª volta.", "La seconda volta."),
 ("Il XX secolo.", "Il ventesimo secolo."),
],
"pt": [
 ("O Sr. Silva chegou.", "O senhor Silva chegou."),
 ("A reunião é às 10:15.", "A reunião é às dez e quinze."),
 ("Custou R$ 10,00.", "Custou dez reais."),
 ("O 1.º lugar foi dele.", "O primeiro lugar foi dele."),
 ("Veja a pág. 12.", "Veja a página doze."),
 ("A inflação é de 4,5 %.", "A inflação é de quatro vírgula cinco por cento."),
 ("São 1.200 alunos.", "São mil e duzentos alunos."),
 ("Vieram 1.200 pessoas.", "Vieram mil e duzentas pessoas."),
 ("Tem 2 casas.", "Tem duas casas."),
 ("Em 1984 tudo mudou.", "Em mil novecentos e oitenta e quatro tudo mudou."),
 ("Faltam 3,5 km.", "Faltam três vírgula cinco quilômetros."),
 ("A Sra. Costa falou.", "A senhora Costa falou."),
 ("O bilhete custa 12,50 €.", "O bilhete custa doze euros e cinquenta cêntimos."),
 ("A 2.ª vez.", "A segunda vez."),
 ("Estão 21 °C.", "Estão vinte e um graus."),
 ("Há 300 alunos.", "Há trezentos alunos."),
 ("Livros, cadernos etc.", "Livros, cadernos etcétera."),
],
"nl": [
 ("De 3e plaats was voor hem.", "De derde plaats was voor hem."),
 ("Om 9.30 uur vertrok de trein.", "Om negen uur dertig vertrok de trein."),
 ("Het kost € 12,50.", "Het kost twaalf euro vijftig cent."),
 ("Dat is bijv. duur.", "Dat is bijvoorbeeld duur."),
 ("De economie groeide 0,4 procent.", "De economie groeide nul komma vier procent."),
 ("Er kwamen 1.200 mensen.", "Er kwamen duizendtweehonderd mensen."),
 ("Dhr. Jansen sprak.", "De heer Jansen sprak."),
 ("In 1984 veranderde alles.", "In negentienhonderdvierentachtig veranderde alles."),
 ("Het is 42 km.", "Het is tweeënveertig kilometer."),
 ("Het werd 21 °C.", "Het werd eenentwintig graden."),
 ("De winkel opent om 14 uur.", "De winkel opent om veertien uur."),
 ("Ongeveer 45 % stemde.", "Ongeveer vijfenveertig procent stemde."),
 ("Zie blz. 12.", "Zie bladzijde twaalf."),
 ("Boeken, schriften enz.", "Boeken, schriften enzovoort."),
 ("Het kost 300 €.", "Het kost driehonderd euro."),
],
"pl": [
 ("Inflacja spadła do 4,9 %.", "Inflacja spadła do cztery przecinek dziewięć procent."),
 ("Było np. 300 osób.", "Było na przykład trzysta osób."),
 ("Przyszło ok. 1.200 osób.", "Przyszło około tysiąc dwieście osób."),
 ("Kosztuje 12,50 zł.", "Kosztuje dwanaście złotych pięćdziesiąt groszy."),
 ("Wzrost o 2,5 %.", "Wzrost o dwa przecinek pięć procent."),
 ("Byli tam m.in. posłowie.", "Byli tam między innymi posłowie."),
 ("Droga ma 42 km.", "Droga ma czterdzieści dwa kilometry."),
 ("Było 21 °C.", "Było dwadzieścia jeden stopni Celsjusza."),
 ("Prof. Nowak mówił.", "Profesor Nowak mówił."),
 ("Spotkanie w sali nr 5.", "Spotkanie w sali numer pięć."),
 ("Wzrost o 45 %.", "Wzrost o czterdzieści pięć procent."),
 ("Mamy 3,5 mln.", "Mamy trzy przecinek pięć milionów."),
 ("Książki, zeszyty itd.", "Książki, zeszyty i tak dalej."),
 ("Kosztuje 300 €.", "Kosztuje trzysta euro."),
 ("Spotkanie o 10:15.", "Spotkanie o dziesiątej piętnaście."),
 ("Trasa ma 5 km.", "Trasa ma pięć kilometrów."),
 ("Urodził się w 1985 r.", "Urodził się w tysiąc dziewięćset osiemdziesiątym piątym roku."),
 ("To było 14 lipca 1789 r.", "To było czternastego lipca tysiąc siedemset osiemdziesiątego dziewiątego roku."),
],
}


@pytest.mark.parametrize("language, written, said",
                         [(language, written, said) for language, cases in CASES.items() for written, said in cases])
def test_said_as_a_native_reader_says_it(language: str, written: str, said: str):
    assert to_spoken(written, language=language) == said


def test_at_least_fifteen_forms_a_language():
    assert {language: len(cases) >= 15 for language, cases in CASES.items()} == dict.fromkeys(CASES, True)


def test_a_region_reads_as_its_language_and_english_is_untouched():
    assert to_spoken("Am 3. März 2025.", language="de-AT") == "Am dritten März zweitausendfünfundzwanzig."
    assert to_spoken("It cost $5 in 2024.", language="en") == "It cost five dollars in twenty twenty-four."
    assert to_spoken("It cost $5 in 2024.") == "It cost five dollars in twenty twenty-four."


SPLITS = {
    "de": ["Am 3. März kam er.", "Im 2. Quartal stieg der Wert um 3 %.", "Das ist z. B. mehr, als Dr. Müller sagte.",
           "Der Plan kostet 476,8 Mrd. Euro.", "Danach kam nichts."],
    "fr": ["M. Dupont est arrivé le 1er mars.", "Il a lu la p. 12 du rapport.", "Mme Martin a répondu.", "Fin."],
    "es": ["El Sr. García llegó a las 10:15.", "Lea la pág. 23 del informe.", "El 1.º de mayo es festivo.", "Fin."],
    "it": ["Il Sig. Rossi è arrivato.", "Vedi pag. 4 del testo.", "La Dott.ssa Bianchi parla.", "Fine."],
    "pt": ["O Sr. Silva chegou.", "Veja a pág. 12 do relatório.", "O 1.º lugar foi dele.", "Fim."],
    "nl": ["Dhr. Jansen sprak.", "Zie blz. 12 van het rapport.", "Het is bijv. duur.", "Einde."],
    "pl": ["Było np. trzysta osób.", "Prof. Nowak mówił o tym, m.in. o budżecie.", "To było 3. spotkanie.",
           "Koniec."],
}


@pytest.mark.parametrize("language", sorted(SPLITS))
def test_sentences_are_not_split_at_ordinals_or_abbreviations(language: str):
    sentences = SPLITS[language]
    assert split_sentences(" ".join(sentences), language) == sentences


def test_a_script_keeps_each_german_sentence_whole():
    from articast.models import Article, Section
    from articast.script import build_script

    article = Article(title="Haushalt", language="de", sections=(Section(None, (
        "Am 3. März 2025 stellte die Regierung den Haushalt vor. Er sieht 476,8 Mrd. Euro vor.",)),))
    spoken = [s.spoken for s in build_script(article).segments]
    assert spoken == ["Haushalt", "Am dritten März zweitausendfünfundzwanzig stellte die Regierung den Haushalt vor.",
                      "Er sieht vierhundertsechsundsiebzig Komma acht Milliarden Euro vor."]


def test_what_articast_says_itself_is_in_the_article_language():
    from articast.models import CODE_SKIPPED, Article, Section, table_skipped
    from articast.script import build_script

    def said(language: str) -> list[str]:
        article = Article(title="", language=language, sections=(Section(None, (
            "Ein Absatz.", CODE_SKIPPED, table_skipped(12))),))
        script = build_script(article)
        return [script.chapters[0].title] + [s.spoken for s in script.segments]

    assert said("de") == ["Einleitung", "Ein Absatz.", "Hier folgt ein Codebeispiel, das nicht vorgelesen wird.",
                          "Eine Tabelle mit zwölf Zeilen wird hier nicht vorgelesen."]
    assert said("fr")[2:] == ["Un exemple de code n'est pas lu ici.", "Un tableau de douze lignes n'est pas lu ici."]
    assert said("sv") == ["…", "Ein Absatz."]  # no English in a Swedish episode: the notes are left out
