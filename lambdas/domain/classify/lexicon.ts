/**
 * The signal lexicon: every phrase the classifier reacts to, in the languages reporters write
 * in, with the reason it counts. This is the one place to add a language or a phrase; the rules
 * that combine signals are in `classify.ts`. Each match is recorded on the case as
 * `text:<id>:<language>` (in `classificationSignals`), so a person can see why a report was
 * classified as it was and correct the lexicon when it was wrong.
 *
 * JavaScript's `\b` knows only ASCII letters: after "é" or "ą" it never matches before a space,
 * so patterns end in a negative lookahead on letters there instead.
 *
 * Patterns are bounded (`.{0,N}`, no nested quantifiers) because they run on hostile text.
 * Latin-script patterns are case-insensitive; `OU` is matched case-sensitively, since French
 * "ou" (or) is everywhere.
 */

export const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pl', 'pt', 'ja', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * What a signal says about the report:
 * - `compromise`: a private key is stated to be compromised (BR 4.9.1.1 (3): 24 hours);
 * - `misissuance`: the certificate is stated to break the rules or to be issued without
 *   authority (BR 4.9.1.1 (2), (12));
 * - `revocationRequest`: someone asks for revocation (BR 4.9.1.1 (1) when the Subscriber does);
 * - `vocabulary`: the words of the trade: with none of them and no evidence, not a CPR.
 */
export const SIGNAL_KINDS = [
  'compromise',
  'misissuance',
  'revocationRequest',
  'vocabulary',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export interface LexiconEntry {
  readonly id: string;
  readonly kind: SignalKind;
  readonly reason: string;
  readonly patterns: Readonly<Partial<Record<Language, readonly RegExp[]>>>;
}

/** Technical tokens that read the same in every language: one pattern, language `en`. */
const ANY = 'en' as const;

export const LEXICON: readonly LexiconEntry[] = [
  // --- compromise -----------------------------------------------------------------------------
  {
    id: 'keyCompromise',
    kind: 'compromise',
    reason: 'names the revocation reason itself (RFC 5280 keyCompromise) or a compromised key',
    patterns: {
      en: [
        /\bkey[\s_-]*compromise/i,
        /\bcompromised\s+(?:private\s+|signing\s+)?keys?\b/i,
        /\bkeys?\b.{0,20}\b(?:is|are|was|were|has\s+been|have\s+been|got)\s+compromised\b/i,
        /\bcompromised\b[\s,.;:!-]{1,5}(?:please\s+)?revoke/i,
      ],
      de: [
        /schlüssel\w{0,20}\s{0,3}(?:ist|wurde|wurden)?\s{0,3}kompromittiert/i,
        /schlüsselkompromittierung|kompromittierte[nr]?\s+(?:privaten?\s+)?schlüssel/i,
      ],
      fr: [
        /cl[ée]\s+priv[ée]e.{0,60}compromise/i,
        /compromission\s+(?:de\s+)?(?:la\s+)?cl[ée]/i,
        /cl[ée]\s+(?:priv[ée]e\s+)?(?:a\s+été\s+|est\s+)?compromise/i,
      ],
      es: [
        /clave\s+privada.{0,60}comprometida/i,
        /compromiso\s+de\s+(?:la\s+)?clave/i,
        /clave\s+(?:privada\s+)?(?:ha\s+sido\s+|fue\s+|está\s+)?comprometida/i,
      ],
      it: [
        /chiave\s+privata.{0,60}compromessa/i,
        /compromissione\s+della\s+chiave/i,
        /chiave\s+(?:privata\s+)?(?:è\s+stata\s+)?compromessa/i,
      ],
      nl: [
        /sleutel\s+(?:is\s+)?gecompromitteerd|gecompromitteerde\s+(?:privé)?sleutel|sleutelcompromittering/i,
      ],
      pl: [
        /kompromitacj\w{0,3}\s+klucza/i,
        /klucz\w{0,3}\s+(?:prywatn\w{0,3}\s+)?(?:został\s+)?skompromitowan/i,
        /skompromitowan\w{0,3}\s+klucz/i,
      ],
      pt: [
        /chave\s+privada.{0,60}comprometida/i,
        /comprometimento\s+da\s+chave/i,
        /chave\s+(?:privada\s+)?(?:foi\s+)?comprometida/i,
      ],
      ja: [/鍵.{0,6}(?:漏洩|漏えい|流出|危殆化|侵害)/, /鍵の?危殆化/],
      zh: [/(?:私钥|密钥|私鑰|金鑰).{0,6}(?:泄露|泄漏|外泄|洩露|洩漏|外洩|被盗|失窃|被竊)/],
    },
  },
  {
    id: 'serverHacked',
    kind: 'compromise',
    reason:
      'a break-in on the server that holds the key means the key must be taken as compromised',
    patterns: {
      en: [
        /\b(?:was|were|been|got|is|are)\s+(?:hacked|breached|pwned)\b/i,
        /\b(?:server|host|machine|website|system)s?\b.{0,30}\b(?:was|were|has\s+been|have\s+been|is|got)\s+compromised\b/i,
        /\bsecurity\s+breach\b|\bbreak-?in\b/i,
      ],
      de: [/gehackt|kompromittiert|einbruch\s+(?:in|auf)|sicherheitsvorfall/i],
      fr: [
        /pirat[ée]s?(?![a-zà-ÿ])|hack[ée]s?(?![a-zà-ÿ])|a\s+été\s+compromis|intrusion\s+(?:sur|dans)/i,
      ],
      es: [/hackead[oa]s?|(?:fue|ha\s+sido|han\s+sido)\s+comprometid[oa]s?|intrusi[oó]n\s+en/i],
      it: [
        /hackerat[oaie]|(?:è\s+stato|sono\s+stati|siamo\s+stati)\s+(?:violat|compromess|attaccat)/i,
      ],
      nl: [/gehackt|inbraak\s+(?:op|in)|ingebroken\s+(?:op|in|bij)|is\s+gecompromitteerd/i],
      pl: [/zhakowan|włamani\w{0,3}\s+(?:na|do)|został\w{0,2}\s+skompromitowan/i],
      pt: [/hackead[oa]s?|invadid[oa]s?|(?:foi|fomos|foram)\s+comprometid/i],
      ja: [/ハッキング|不正アクセス|侵入され|乗っ取られ/],
      zh: [/被黑|黑客入侵|遭到入侵|被入侵|被攻破|駭客入侵|被駭/],
    },
  },
  {
    id: 'keyLost',
    kind: 'compromise',
    reason: 'a lost, stolen or published private key is a compromised key (BR 4.9.1.1 (3))',
    patterns: {
      en: [
        /\b(?:lost|leaked|exposed|published|stole|stolen)\s+(?:the\s+|our\s+|my\s+|a\s+)?(?:private\s+)?keys?\b/i,
        /\bprivate\s+keys?\b(?:\s+\S+){0,6}?\s+(?:was|were|is|are|got|has\s+been|have\s+been)\s+(?:lost|leaked|exposed|published|compromised|disclosed|stolen)\b/i,
      ],
      de: [
        /privat\w{0,3}\s+schlüssel.{0,60}(?:verloren|gestohlen|veröffentlicht|geleakt)/i,
        /schlüssel\s+(?:ist\s+|wurde\s+)?(?:verloren|gestohlen|veröffentlicht|geleakt|abhanden)/i,
        /(?:verloren|gestohlen|veröffentlicht)\w{0,3}\s+(?:privaten?\s+)?schlüssel/i,
        /schlüssel\s+verloren/i,
      ],
      fr: [
        /cl[ée]\s+priv[ée]e.{0,60}(?:perdue|vol[ée]e|divulgu[ée]e|publi[ée]e)/i,
        /(?:perdu|vol[ée]|divulgu[ée]|publi[ée])\w{0,2}\s+(?:la\s+|notre\s+|ma\s+)?cl[ée]/i,
        /cl[ée]\s+(?:priv[ée]e\s+)?(?:a\s+été\s+)?(?:perdue|vol[ée]e|divulgu[ée]e|publi[ée]e)/i,
        /fuite\s+de\s+(?:la\s+)?cl[ée]/i,
      ],
      es: [
        /(?:robaron|perdimos|perdí|filtraron|publicaron).{0,60}clave\s+privada/i,
        /clave\s+privada.{0,60}(?:robada|filtrada|publicada|perdida|expuesta)/i,
        /(?:perdimos|perdido|robad[oa]|filtrad[oa]|publicad[oa])\s+(?:la\s+)?clave/i,
        /clave\s+(?:privada\s+)?(?:fue\s+|ha\s+sido\s+)?(?:robada|filtrada|publicada|perdida|expuesta)/i,
        /filtraci[oó]n\s+de\s+(?:la\s+)?clave/i,
      ],
      it: [
        /chiave\s+privata.{0,60}(?:rubata|persa|pubblicata|esposta|trafugata)/i,
        /(?:perso|rubat[ao]|pubblicat[ao])\s+la\s+chiave/i,
        /chiave\s+(?:privata\s+)?(?:è\s+stata\s+)?(?:persa|rubata|pubblicata|esposta|trafugata)/i,
      ],
      nl: [
        /sleutel.{0,60}(?:gelekt|uitgelekt|gestolen)/i,
        /sleutel\s+(?:is\s+)?(?:kwijt|verloren|gestolen|gelekt|uitgelekt|gepubliceerd)/i,
        /(?:verloren|gestolen|gelekte)\s+(?:privé)?sleutel/i,
      ],
      pl: [
        /klucz\w{0,3}\s+prywatn.{0,60}(?:wyciek|skradzion|ujawnion)/i,
        /(?:zgubil\w{0,5}|utracil\w{0,5}|utrat\w{0,2}|wyciek\w{0,2})\s+klucz/i,
        /klucz\w{0,3}\s+(?:prywatn\w{0,3}\s+)?(?:wyciekł|został\s+(?:skradziony|ujawniony|opublikowany))/i,
      ],
      pt: [
        /chave\s+privada.{0,60}(?:roubada|vazada|exposta|publicada|perdida)/i,
        /(?:perdemos|perdi|roubad[ao]|vazad[ao])\s+(?:a\s+)?chave/i,
        /chave\s+(?:privada\s+)?(?:foi\s+)?(?:roubada|vazada|exposta|publicada|perdida)/i,
        /vazamento\s+da\s+chave/i,
      ],
      ja: [/秘密鍵.{0,10}(?:紛失|なくし|失くし|盗まれ|公開され|漏れ)/],
      zh: [/(?:私钥|私鑰).{0,6}(?:丢失|遗失|遺失|公开|公開)/],
    },
  },
  // --- misissuance ----------------------------------------------------------------------------
  {
    id: 'misissued',
    kind: 'misissuance',
    reason: 'says the certificate was issued against the rules (BR 4.9.1.1 (12))',
    patterns: {
      en: [
        /\bmis-?issu/i,
        /\b(?:non-?|not\s+)compliant\b/i,
        /\bviolat\w*\s+(?:of\s+)?(?:the\s+)?(?:CA\/B(?:rowser)?\s+Forum(?:'s)?\s+)?(?:baseline\s+requirements|BRs?\b)/i,
        /\bBRs?\s+violation/i,
        /\binvalid\s+(?:SANs?|domains?|validation|subject|encoding|extensions?)\b/i,
        /\bincorrect(?:ly)?\b/i,
        /\b(?:wrongly|improperly|erroneously)\s+issued\b/i,
        /\bshould\s+not\s+have\s+been\s+issued\b/i,
      ],
      de: [
        /fehlausgestellt|fehlerhaft\s+ausgestellt|falsch\s+ausgestellt|nicht\s+(?:BR-)?konform|verstößt\s+gegen|verstoß\s+gegen\s+die\s+baseline/i,
      ],
      fr: [
        /mal\s+émis|émis\s+(?:à\s+tort|par\s+erreur)|non\s+conforme|viole\s+les\s+(?:exigences|baseline)/i,
      ],
      es: [
        /emitid[oa]\s+(?:incorrectamente|err[oó]neamente|indebidamente)|no\s+(?:es\s+)?conforme|incumple|viola\s+los\s+(?:requisitos|baseline)/i,
      ],
      it: [
        /emess[oa]\s+(?:erroneamente|in\s+modo\s+errato|impropriamente)|non\s+conforme|viola\s+i\s+requisiti/i,
      ],
      nl: [/onjuist\s+uitgegeven|ten\s+onrechte\s+uitgegeven|niet\s+conform|voldoet\s+niet\s+aan/i],
      pl: [
        /błędnie\s+wydan|niezgodn\w{0,3}\s+z\s+(?:wymaganiami|BR)|narusza\s+(?:wymagania|baseline)/i,
      ],
      pt: [
        /emitid[oa]\s+(?:incorretamente|indevidamente|erroneamente)|n[aã]o\s+conforme|viola\s+os\s+requisitos/i,
      ],
      ja: [/誤発行|誤って発行|準拠していない|違反して/],
      zh: [/错误签发|误签发|錯誤簽發|不合规|不合規|违反|違反/],
    },
  },
  {
    id: 'unauthorisedIssuance',
    kind: 'misissuance',
    reason: "the certificate was issued without the applicant's authority (BR 4.9.1.1 (2))",
    patterns: {
      en: [
        /\bunauthori[sz]ed\s+(?:issuance|certificate|request)/i,
        /\bwithout\s+(?:my|our)\s+(?:authori[sz]ation|consent|permission|knowledge)/i,
        /\bnever\s+(?:requested|ordered|applied\s+for|asked\s+for)\b/i,
        /\b(?:didn't|did\s+not|have\s+not|haven't)\s+(?:request|order|apply\s+for|requested|ordered)\s+(?:this|that|the|a|these|any)\s+cert/i,
      ],
      de: [
        /nie(?:mals)?\s+beantragt|nicht\s+beantragt|ohne\s+(?:mein|unser)\w{0,2}\s+(?:zustimmung|genehmigung|autorisierung|erlaubnis|wissen)|unbefugt\w{0,3}\s+ausgestellt|unautorisiert/i,
      ],
      fr: [
        /jamais\s+demandé|pas\s+demandé\s+ce|sans\s+(?:mon|notre)\s+(?:autorisation|accord|consentement)|émission\s+non\s+autorisée|non\s+autorisée?s?(?![a-zà-ÿ])/i,
      ],
      es: [
        /nunca\s+(?:solicit|ped)\w{0,4}|no\s+(?:he|hemos)\s+solicitado|sin\s+(?:mi|nuestra)\s+(?:autorizaci[oó]n|consentimiento|permiso)|emisi[oó]n\s+no\s+autorizada|no\s+autorizad[oa]s?/i,
      ],
      it: [
        /mai\s+richiest|non\s+(?:ho|abbiamo)\s+(?:mai\s+)?richiesto|senza\s+(?:la\s+)?(?:mia|nostra)\s+(?:autorizzazione|consenso)|emissione\s+non\s+autorizzata|non\s+autorizzat/i,
      ],
      nl: [
        /nooit\s+aangevraagd|niet\s+aangevraagd|zonder\s+(?:mijn|onze)\s+(?:toestemming|autorisatie)|ongeautoriseerd|niet\s+geautoriseerd/i,
      ],
      pl: [
        /nigdy\s+nie\s+(?:zamawia|wnioskowa|prosi)|nie\s+zamawia\w{0,6}\s+tego|bez\s+(?:mojej|naszej)\s+(?:zgody|autoryzacji|wiedzy)|nieautoryzowan/i,
      ],
      pt: [
        /nunca\s+(?:solicit|pedi)\w{0,4}|n[aã]o\s+(?:solicitei|solicitamos|pedi|pedimos)|sem\s+(?:a\s+)?(?:minha|nossa)\s+(?:autoriza[cç][aã]o|permiss[aã]o|consentimento)|emiss[aã]o\s+n[aã]o\s+autorizada|n[aã]o\s+autorizad[oa]s?/i,
      ],
      ja: [
        /申請して(?:いない|いません|おりません)|依頼して(?:いない|いません)|申し込んで(?:いない|いません)|許可なく|無断で|不正に発行|身に覚えのない/,
      ],
      zh: [
        /没有申请|沒有申請|未申请|未申請|从未申请|從未申請|未经.{0,3}(?:授权|许可)|未經.{0,3}授權|未授权|未授權/,
      ],
    },
  },
  {
    id: 'underscore',
    kind: 'misissuance',
    reason: 'underscores in dNSNames are prohibited (BR 7.1.2.7.12, ballot SC-12)',
    patterns: {
      en: [/\bunderscores?\b/i],
      de: [/unterstrich/i],
      fr: [/tiret\s+bas|caractère\s+de\s+soulignement/i],
      es: [/guion\s+bajo|guión\s+bajo/i],
      it: [/trattino\s+basso/i],
      nl: [/liggend\s+streepje/i],
      pl: [/podkreślni/i],
      pt: [/sublinhado/i],
      ja: [/アンダースコア|アンダーバー/],
      zh: [/下划线|下劃線|底线字符/],
    },
  },
  {
    id: 'organizationalUnit',
    kind: 'misissuance',
    reason: 'OU is no longer allowed in Subscriber certificates (ballot SC-47)',
    patterns: {
      en: [/\bOU\b/, /organi[sz]ational\s*unit/i],
      de: [/organisationseinheit/i],
      fr: [/unité\s+organisationnelle/i],
      es: [/unidad\s+organizativa|unidad\s+organizacional/i],
      it: [/unità\s+organizzativa/i],
      nl: [/organisatie-?eenheid/i],
      pl: [/jednostk\w{0,3}\s+organizacyjn/i],
      pt: [/unidade\s+organizacional/i],
      ja: [/組織単位/],
      zh: [/组织单位|組織單位/],
    },
  },
  {
    id: 'commonNameNotInSan',
    kind: 'misissuance',
    reason:
      'the CN must be one of the SAN values (BR 7.1.4.3), and a SAN is required; a report that puts CN and SAN in one sentence is about that',
    patterns: {
      // One bounded gap, not "CN ... not ... SAN": two gaps cost 40 x 30 steps per "CN".
      [ANY]: [
        /\b(?:CN|common\s*name)\b[^\n]{0,80}?\bSANs?\b/i,
        /\b(?:no|missing|without\s+a?)\s*SANs?\b/i,
      ],
      de: [/\b(?:kein|fehlend)\w{0,2}\s+SAN/i],
      ja: [/CN.{0,20}SAN/],
      zh: [/CN.{0,20}SAN/],
    },
  },
  {
    id: 'validityTooLong',
    kind: 'misissuance',
    reason: 'validity beyond the maximum of BR 6.3.2',
    patterns: {
      en: [
        /\bvalid(?:ity)?\s+(?:period\s+)?(?:for|of)\s+(?:39[89]|[4-9]\d\d|\d{4,})\s+days/i,
        /\bvalidity\s+(?:period\s+)?(?:exceeds|over|longer\s+than|more\s+than|too\s+long)/i,
      ],
      de: [
        /gültigkeit\w{0,6}\s+(?:von\s+)?(?:über|mehr\s+als|länger\s+als|zu\s+lang)|(?:39[89]|[4-9]\d\d)\s+tage/i,
      ],
      fr: [
        /validité\s+(?:de\s+)?(?:plus\s+de|supérieure|trop\s+longue)|(?:39[89]|[4-9]\d\d)\s+jours/i,
      ],
      es: [
        /validez\s+(?:de\s+)?(?:más\s+de|superior|demasiado\s+larga)|(?:39[89]|[4-9]\d\d)\s+días/i,
      ],
      it: [
        /validità\s+(?:di\s+)?(?:oltre|più\s+di|superiore|troppo\s+lunga)|(?:39[89]|[4-9]\d\d)\s+giorni/i,
      ],
      nl: [
        /geldigheid\w{0,6}\s+(?:van\s+)?(?:meer\s+dan|langer\s+dan|te\s+lang)|(?:39[89]|[4-9]\d\d)\s+dagen/i,
      ],
      pl: [/ważnoś\w{0,3}\s+(?:ponad|dłuż|powyżej|zbyt\s+dług)|(?:39[89]|[4-9]\d\d)\s+dni/i],
      pt: [
        /validade\s+(?:de\s+)?(?:mais\s+de|superior|longa\s+demais)|(?:39[89]|[4-9]\d\d)\s+dias/i,
      ],
      ja: [/有効期間.{0,20}(?:超|長すぎ)|(?:39[89]|[4-9]\d\d)日/],
      zh: [/有效期.{0,20}(?:超过|超過|过长|過長)|(?:39[89]|[4-9]\d\d)天/],
    },
  },
  {
    id: 'ecKeyEncipherment',
    kind: 'misissuance',
    reason: 'keyEncipherment must not be set for an EC key (RFC 5480 3, BR 7.1.2.7.11)',
    patterns: {
      [ANY]: [
        /keyEncipherment.{0,60}\b(?:EC|ECDSA|ECC|P-256|P-384)\b|\b(?:EC|ECDSA|ECC)\b.{0,60}keyEncipherment/i,
      ],
    },
  },
  {
    id: 'internalName',
    kind: 'misissuance',
    reason: 'Internal Names and Reserved IP Addresses are not allowed (BR 7.1.2.7.12)',
    patterns: {
      en: [/\binternal\s+(?:name|domain|host\s*name)s?\b|\breserved\s+IP|\bprivate\s+IP\b/i],
      de: [
        /interne[nr]?\s+(?:namen?|domains?|hostnamen?)|reservierte\w{0,2}\s+IP|private\w{0,2}\s+IP/i,
      ],
      fr: [/nom\s+interne|adresse\s+IP\s+(?:réservée|privée)/i],
      es: [/nombre\s+interno|IP\s+(?:reservada|privada)/i],
      it: [/nome\s+interno|IP\s+(?:riservat|privat)/i],
      nl: [/interne\s+naam|(?:gereserveerd|privé)\w{0,2}\s*IP/i],
      pl: [/nazw\w{0,3}\s+wewnętrzn|(?:zarezerwowan|prywatn)\w{0,3}\s+(?:adres\w{0,2}\s+)?IP/i],
      pt: [/nome\s+interno|IP\s+(?:reservado|privado)/i],
      ja: [/内部名|内部ホスト名|プライベートIP|予約済みIP/],
      zh: [/内部名称|內部名稱|内部域名|私有IP|保留IP/],
    },
  },
  {
    id: 'placeholderSubject',
    kind: 'misissuance',
    reason: 'OpenSSL default values in the subject were never verified (BR 7.1.2.7.4)',
    patterns: { [ANY]: [/Some-State|Default\s+City|Internet\s+Widgits|Default\s+Company\s+Ltd/i] },
  },
  {
    id: 'weakKey',
    kind: 'misissuance',
    reason:
      'keys below the BR 6.1.5 minimum; the exponent is not a signal, since exponent 3 breaks only a SHOULD (BR 6.1.6) and the lint reports it',
    patterns: {
      en: [/\bweak\s+(?:RSA\s+)?keys?\b|\b(?:512|768|1024)[\s-]*bit\s+(?:RSA\s+)?key/i],
      de: [/schwache[nr]?\s+schlüssel|(?:512|768|1024)[\s-]*bit/i],
      fr: [/clé\s+faible|(?:512|768|1024)\s+bits/i],
      es: [/clave\s+débil|(?:512|768|1024)\s+bits/i],
      it: [/chiave\s+debole|(?:512|768|1024)\s+bit/i],
      nl: [/zwakke\s+sleutel|(?:512|768|1024)[\s-]*bit/i],
      pl: [/słab\w{0,3}\s+klucz|(?:512|768|1024)[\s-]*bit/i],
      pt: [/chave\s+fraca|(?:512|768|1024)\s+bits/i],
      ja: [/弱い鍵|脆弱な鍵|(?:512|768|1024)ビット/],
      zh: [/弱密钥|弱金鑰|(?:512|768|1024)位/],
    },
  },
  {
    id: 'precertificatePoison',
    kind: 'misissuance',
    reason: 'the CT poison extension must not be in a final certificate (RFC 6962 3.1)',
    patterns: { [ANY]: [/\bpoison\b|1\.3\.6\.1\.4\.1\.11129\.2\.4\.3/i] },
  },
  {
    id: 'caa',
    kind: 'misissuance',
    reason: 'issuance despite a CAA record that forbids it (BR 3.2.2.8)',
    patterns: { [ANY]: [/\bCAA\b/] },
  },
  {
    id: 'linter',
    kind: 'misissuance',
    reason: 'reporters quote linter findings (zlint, pkilint, certlint)',
    patterns: { [ANY]: [/\b(?:z|pki|cert)lint(?:ing|er|s)?\b/i] },
  },
  // --- revocation request ---------------------------------------------------------------------
  {
    id: 'revocationRequest',
    kind: 'revocationRequest',
    reason:
      'asks for revocation; from the Subscriber that is a BR 4.9.1.1 (1) request even without a reason',
    patterns: {
      en: [
        /\b(?:please|kindly|pls)\s+revoke\b|\brevoke\s+(?:my|our|the|this|these|it|them)\b|\brequest(?:ing)?\s+(?:the\s+)?revocation\b|\brevocation\s+request\b|\bwant\s+(?:\w+\s+)?revoked\b/i,
      ],
      de: [
        /\b(?:widerrufen|sperren|zurückziehen|zurückrufen)\b|widerruf\s+(?:des|unseres|meines|der)|sperrung\s+(?:des|unseres|meines|der)|um\s+(?:den\s+)?widerruf/i,
      ],
      fr: [/révoquer|révocation\s+(?:de|du|des)|demande\s+de\s+révocation/i],
      es: [
        /\brevocar\b|\brev[oó]qu(?:en|e)(?:lo|la|los|las)?(?![a-zà-ÿ])|revocaci[oó]n\s+de(?:l)?\b|solicit\w{0,4}\s+la\s+revocaci[oó]n/i,
      ],
      it: [/\brevocare\b|\brevocate\b|revoca\s+(?:del|dei|di)\b/i],
      nl: [/\bintrekken\b|intrekking\s+van|\bherroepen\b|in\s+te\s+trekken/i],
      pl: [/unieważni|odwoła\w{0,4}\s+certyfikat|odwołanie\s+certyfikatu/i],
      pt: [/\brevogar\b|revogação\s+d[oae]s?\b|\brevoguem\b/i],
      ja: [/失効(?:させ|して|を依頼|をお願い|申請|手続)/],
      zh: [/吊销|吊銷|撤销(?:证书|該|这)|撤銷(?:證書|該|這)|废止证书|廢止證書/],
    },
  },
  // --- vocabulary -----------------------------------------------------------------------------
  {
    id: 'cprVocabulary',
    kind: 'vocabulary',
    reason: 'the words of the trade: certificates, keys, revocation',
    patterns: {
      en: [
        /\b(?:certificates?|certs?|revoked?|revokes|revoking|revocation|CPR|problem\s+report|TLS|SSL|X\.?509|compromis\w*|mis-?issu\w*|private\s+keys?|CSRs?|crt\.sh|OCSP|CRL|baseline\s+requirements)\b/i,
      ],
      de: [/zertifikat|privater?\s+schlüssel|widerruf|sperrung/i],
      fr: [/certificat|clé\s+privée|révocation/i],
      es: [/certificado|clave\s+privada|revocaci[oó]n/i],
      it: [/certificat[oi]|chiave\s+privata|revoca/i],
      nl: [/certificaat|certificaten|privésleutel|private\s+sleutel|intrekking/i],
      pl: [/certyfikat|klucz\w{0,3}\s+prywatn|unieważnieni/i],
      pt: [/certificado|chave\s+privada|revogação/i],
      ja: [/証明書|秘密鍵|失効/],
      zh: [/证书|證書|私钥|私鑰|吊销|吊銷/],
    },
  },
];

/**
 * Characters of one text the lexicon reads: reporters state the reason at the top, and the
 * patterns, though bounded, cost up to about 100 steps per character each.
 */
export const MAX_SIGNAL_TEXT_CHARS = 100_000;

/** One matched entry: its id, kind and the language whose pattern matched. */
export interface TextSignal {
  readonly id: string;
  readonly kind: SignalKind;
  readonly language: Language;
}

/**
 * Every lexicon entry that matches `text`, at most once per entry. The language recorded is the
 * first in `LANGUAGES` whose pattern matched: words shared by languages ("gehackt" in German and
 * Dutch, "nunca solicitamos" in Spanish and Portuguese) are tagged with the earlier one.
 */
export function textSignals(input: string): TextSignal[] {
  const text = input.length > MAX_SIGNAL_TEXT_CHARS ? input.slice(0, MAX_SIGNAL_TEXT_CHARS) : input;
  const out: TextSignal[] = [];
  for (const entry of LEXICON) {
    for (const language of LANGUAGES) {
      const patterns = entry.patterns[language];
      if (patterns?.some((p) => p.test(text))) {
        out.push({ id: entry.id, kind: entry.kind, language });
        break;
      }
    }
  }
  return out;
}
