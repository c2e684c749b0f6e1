# Ansökan om bistånd: det publika formuläret och bekräftelsen (crates/web/src/apply.rs).

apply-title = Ansök om stöd
apply-lead = Här ansöker du om stöd som { $kommun } beslutar om efter en utredning, till exempel avlösning, växelvård eller dagverksamhet. Det kostar inget att ansöka.
apply-talk-first = Vill du hellre prata med någon först?
apply-talk-first-link = Be om ett samtal med en anhörigkonsulent
apply-required-note = Fyll i ditt namn och personnummer, välj vad du söker och kryssa i rutan om samtycke längst ner. Resten är frivilligt.
apply-about-you = Om dig
apply-field-name = Ditt för- och efternamn
apply-name-hint = Skriv både förnamn och efternamn.
apply-field-personnummer = Ditt personnummer
apply-reach-legend = Hur når vi dig?
apply-reach-hint = Fyll gärna i telefon, e-post eller båda. Då kan handläggaren nå dig snabbare. Annars får du brev.
apply-field-phone = Telefonnummer
apply-field-email = E-postadress
apply-field-role = Vem är du som ansöker?
apply-role-carer = Jag är anhörig och söker stöd för min egen del
apply-role-care-recipient = Jag är den som behöver vård eller omsorg och söker för mig själv
apply-role-guardian = Jag är god man, förvaltare eller vårdnadshavare och söker för den jag företräder
apply-field-recipient-name = Namnet på den som behöver vård eller omsorg
apply-recipient-name-hint = Till exempel den du hjälper eller företräder. Lämna tomt om det är du själv.
apply-field-requested = Vad söker du?
apply-requested-hint = Välj ett eller flera stöd. Du kan också skriva något annat längre ner.
apply-requested-read-more = Läs om stöden
apply-requested-consent-hint = En del stöd, till exempel avlösning och växelvård, ges till den du hjälper. Då behöver den du hjälper säga ja till stödet. Du kan ansöka ändå, handläggaren pratar med er om det.
apply-field-free-text = Något annat
apply-free-text-hint = Du kan söka stöd även om det inte finns i listan. Skriv kort vad du behöver.
apply-field-message = Berätta om din situation
apply-message-hint = Vad behöver du hjälp med, och varför? Det hjälper handläggaren att förstå. Högst { $max } tecken.
apply-field-consent = Jag samtycker till att kommunen sparar uppgifterna i ansökan för att kunna utreda den.
apply-consent-hint = Bara personal som arbetar med din ansökan ser uppgifterna.
apply-submit = Skicka ansökan
apply-field-other = Ansökan

apply-done-title = Tack, vi har tagit emot din ansökan
apply-done-heading = Tack, vi har tagit emot din ansökan
apply-done-reference-label = Ditt referensnummer:
apply-done-reference-help = Skriv upp numret. Nämn det när du har kontakt med kommunen om ansökan.
apply-done-next-heading = Vad händer nu?
apply-done-step-contact = En biståndshandläggare i kommunen hör av sig till dig.
apply-done-step-investigation = Handläggaren utreder ansökan. Ni pratar om din situation och om vad du behöver. Innan kommunen beslutar får du se det som har kommit in och säga vad du tycker.
apply-done-step-decision = Du får ett skriftligt beslut. I beslutet står det vad kommunen har beslutat och varför.
apply-done-step-appeal = Om du inte är nöjd med beslutet kan du överklaga det. Överklagandet ska ha kommit in till kommunen inom tre veckor från den dag du fick beslutet. I beslutet står det hur du gör.
apply-done-appeal-link = Om du inte är nöjd
apply-done-consent-heading = Den som behöver vård eller omsorg behöver säga ja
apply-done-consent-text = En del av det du har sökt, till exempel avlösning, växelvård eller korttidsvistelse, ges till den du hjälper. Därför behöver den personen samtycka till stödet, själv eller genom den som företräder personen. Handläggaren pratar med er om det.
apply-done-officers-heading = Har du frågor? Ring en biståndshandläggare

apply-entry-link = Ansök om det här stödet
apply-overview-link = Ansök om stöd

apply-summary-consent = Samtycke
apply-error-consent = Kryssa i rutan om samtycke. Utan ditt samtycke kan vi inte ta emot ansökan här.
