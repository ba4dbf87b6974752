;;; GG-02 (coverage), GG-14 (deadline) and GG-27 (patrol minimum) of the Guigang pack, in CLIPS.
;;;
;;; Loaded by bench/peer/clips_peer.py, which sets the globals and asserts the base facts (the
;;; rows of five tables, the calendar periods, the level ranks and the patrol frequencies) and
;;; then runs. The relational work is done here by the rules: the jurisdiction tree's closure,
;;; the reach x level expansion of GG-02, the chief x period windows of GG-27 and the patrol
;;; counts. Phases follow salience: derive (30, 20), count (10), find short periods (5), judge
;;; (0), so a verdict that tests for absence (`not`) only fires once everything it could see has
;;; been derived. A verdict is one fact per (rule, subject), with ducha's outcome vocabulary.

(defglobal
  ?*submitter* = ""          ; the submitting jurisdiction's code
  ?*submitter-level* = county
  ?*submitter-rank* = 2      ; its level's rank (province 0 ... village 4)
  ?*as-of* = 0               ; day numbers (days since 1970-01-01)
  ?*coverage-due* = 0
  ?*deadline-due* = 0
  ?*patrol-min* = 1)

;;; ------------------------------------------------------------------ base facts

(deftemplate level-rank (slot level (type SYMBOL)) (slot rank (type INTEGER)))
(deftemplate jurisdiction
  (slot code (type STRING)) (slot level (type SYMBOL)) (slot parent (type STRING SYMBOL) (default nil)))
(deftemplate reach (slot id (type STRING)) (slot water-body (type STRING)) (slot jurisdiction (type STRING)))
(deftemplate chief
  (slot id (type STRING)) (slot water-body (type STRING SYMBOL) (default nil)) (slot jurisdiction (type STRING))
  (slot level (type SYMBOL)) (slot appointed (type INTEGER SYMBOL) (default nil))
  (slot left (type INTEGER SYMBOL) (default nil)))
(deftemplate document
  (slot kind (type STRING)) (slot issuer (type STRING SYMBOL) (default nil))
  (slot reported (type INTEGER SYMBOL) (default nil)))
(deftemplate patrol (slot id (type INTEGER)) (slot chief (type STRING)) (slot day (type INTEGER)))
(deftemplate period (slot kind (type SYMBOL)) (slot label (type STRING)) (slot start (type INTEGER)) (slot end (type INTEGER)))
(deftemplate frequency (slot level (type SYMBOL)) (slot kind (type SYMBOL)))

;;; ------------------------------------------------------------------ derived facts

(deftemplate within (slot code (type STRING)) (slot level (type SYMBOL)) (slot at (type STRING)))
(deftemplate water-level (slot water-body (type STRING)) (slot jurisdiction (type STRING)) (slot level (type SYMBOL)))
(deftemplate plan-subject (slot code (type STRING)))
(deftemplate patrol-subject (slot chief (type STRING)) (slot level (type SYMBOL)))
(deftemplate window
  (slot chief (type STRING)) (slot label (type STRING)) (slot start (type INTEGER)) (slot end (type INTEGER))
  (slot count (type INTEGER) (default 0)))
(deftemplate counted (slot chief (type STRING)) (slot label (type STRING)) (slot patrol (type INTEGER)))
(deftemplate short (slot chief (type STRING)) (slot label (type STRING)))
(deftemplate verdict
  (slot rule (type SYMBOL)) (slot subject (type STRING)) (slot outcome (type SYMBOL)) (slot reason (type SYMBOL)))

(deffacts levels-of-the-rules
  (coverage-level county) (coverage-level township) (coverage-level village)
  (plan-level county) (plan-level township)
  (patrol-level county) (patrol-level township) (patrol-level village))

;;; ------------------------------------------------------------------ the jurisdiction tree

(defrule within-itself
  (declare (salience 30))
  (jurisdiction (code ?c) (level ?l))
  =>
  (assert (within (code ?c) (level ?l) (at ?c))))

(defrule within-parent
  (declare (salience 30))
  (within (code ?c) (at ?a))
  (jurisdiction (code ?a) (parent ?p&:(stringp ?p)))
  (jurisdiction (code ?p) (level ?pl))
  =>
  (assert (within (code ?c) (level ?pl) (at ?p))))

;;; ------------------------------------------------------------------ GG-02 coverage

;; A reach runs through its own jurisdiction and every one above it, down from the
;; submitter's level: one subject per (water body, jurisdiction, level), duplicates merge.
(defrule coverage-subject
  (declare (salience 20))
  (reach (water-body ?w) (jurisdiction ?j))
  (jurisdiction (code ?j) (level ?own))
  (level-rank (level ?own) (rank ?own-rank))
  (coverage-level ?l)
  (level-rank (level ?l) (rank ?r&:(<= ?r ?own-rank)&:(>= ?r ?*submitter-rank*)))
  (within (code ?j) (level ?l) (at ?a))
  =>
  (assert (water-level (water-body ?w) (jurisdiction ?a) (level ?l))))

(defrule coverage-passed
  (water-level (water-body ?w) (jurisdiction ?a) (level ?l))
  (exists (chief (water-body ?w) (jurisdiction ?a) (level ?l)
                 (appointed ?d&:(integerp ?d)&:(<= ?d ?*as-of*)&:(<= ?d ?*coverage-due*))))
  =>
  (assert (verdict (rule GG-02) (subject (str-cat ?w "@" ?a "@" ?l)) (outcome passed) (reason nil))))

(defrule coverage-late
  (water-level (water-body ?w) (jurisdiction ?a) (level ?l))
  (not (chief (water-body ?w) (jurisdiction ?a) (level ?l)
              (appointed ?d&:(integerp ?d)&:(<= ?d ?*as-of*)&:(<= ?d ?*coverage-due*))))
  (exists (chief (water-body ?w) (jurisdiction ?a) (level ?l)
                 (appointed ?late&:(integerp ?late)&:(<= ?late ?*as-of*)&:(> ?late ?*coverage-due*))))
  =>
  (assert (verdict (rule GG-02) (subject (str-cat ?w "@" ?a "@" ?l)) (outcome violated) (reason late))))

(defrule coverage-missing
  (water-level (water-body ?w) (jurisdiction ?a) (level ?l))
  (not (chief (water-body ?w) (jurisdiction ?a) (level ?l) (appointed ?d&:(integerp ?d)&:(<= ?d ?*as-of*))))
  =>
  (bind ?due (> ?*coverage-due* ?*as-of*))
  (assert (verdict (rule GG-02) (subject (str-cat ?w "@" ?a "@" ?l))
                   (outcome (if ?due then pending else violated)) (reason (if ?due then not_due else missing)))))

;;; ------------------------------------------------------------------ GG-14 deadline

(defrule plan-subject
  (declare (salience 20))
  (plan-level ?l)
  (jurisdiction (code ?c) (level ?l))
  (within (code ?c) (level ?sl&:(eq ?sl ?*submitter-level*)) (at ?s&:(eq ?s ?*submitter*)))
  =>
  (assert (plan-subject (code ?c))))

(defrule plan-passed
  (plan-subject (code ?c))
  (exists (document (kind "work_plan") (issuer ?c)
                    (reported ?r&:(integerp ?r)&:(<= ?r ?*as-of*)&:(<= ?r ?*deadline-due*))))
  =>
  (assert (verdict (rule GG-14) (subject ?c) (outcome passed) (reason nil))))

(defrule plan-late
  (plan-subject (code ?c))
  (not (document (kind "work_plan") (issuer ?c)
                 (reported ?r&:(integerp ?r)&:(<= ?r ?*as-of*)&:(<= ?r ?*deadline-due*))))
  (exists (document (kind "work_plan") (issuer ?c)
                    (reported ?late&:(integerp ?late)&:(<= ?late ?*as-of*)&:(> ?late ?*deadline-due*))))
  =>
  (assert (verdict (rule GG-14) (subject ?c) (outcome violated) (reason late))))

(defrule plan-missing
  (plan-subject (code ?c))
  (not (document (kind "work_plan") (issuer ?c) (reported ?r&:(integerp ?r)&:(<= ?r ?*as-of*))))
  =>
  (bind ?due (> ?*deadline-due* ?*as-of*))
  (assert (verdict (rule GG-14) (subject ?c)
                   (outcome (if ?due then pending else violated)) (reason (if ?due then not_due else missing)))))

;;; ------------------------------------------------------------------ GG-27 patrol minimum

(defrule patrol-subject
  (declare (salience 20))
  (chief (id ?c) (level ?l) (jurisdiction ?j))
  (patrol-level ?l)
  (within (code ?j) (level ?sl&:(eq ?sl ?*submitter-level*)) (at ?s&:(eq ?s ?*submitter*)))
  =>
  (assert (patrol-subject (chief ?c) (level ?l))))

;; One window per calendar period of the chief's frequency that the chief held whole.
(defrule patrol-window
  (declare (salience 20))
  (patrol-subject (chief ?c) (level ?l))
  (chief (id ?c) (appointed ?a) (left ?left))
  (frequency (level ?l) (kind ?k))
  (period (kind ?k) (label ?lab) (start ?s) (end ?e))
  (test (and (or (not (integerp ?a)) (<= ?a ?s)) (or (not (integerp ?left)) (>= ?left ?e))))
  =>
  (assert (window (chief ?c) (label ?lab) (start ?s) (end ?e))))

;; Each patrol in a window adds one to its count, once.
(defrule count-patrol
  (declare (salience 10))
  ?w <- (window (chief ?c) (label ?lab) (start ?s) (end ?e) (count ?n))
  (patrol (id ?p) (chief ?c) (day ?d&:(>= ?d ?s)&:(<= ?d ?e)&:(<= ?d ?*as-of*)))
  (not (counted (chief ?c) (label ?lab) (patrol ?p)))
  =>
  (assert (counted (chief ?c) (label ?lab) (patrol ?p)))
  (modify ?w (count (+ ?n 1))))

(defrule short-period
  (declare (salience 5))
  (window (chief ?c) (label ?lab) (count ?n&:(< ?n ?*patrol-min*)))
  =>
  (assert (short (chief ?c) (label ?lab))))

(defrule patrols-violated
  (patrol-subject (chief ?c))
  (exists (short (chief ?c)))
  =>
  (assert (verdict (rule GG-27) (subject ?c) (outcome violated) (reason too_few))))

(defrule patrols-passed
  (patrol-subject (chief ?c))
  (exists (window (chief ?c)))
  (not (short (chief ?c)))
  =>
  (assert (verdict (rule GG-27) (subject ?c) (outcome passed) (reason nil))))

(defrule patrols-no-periods
  (patrol-subject (chief ?c) (level ?l))
  (exists (frequency (level ?l)))
  (not (window (chief ?c)))
  =>
  (assert (verdict (rule GG-27) (subject ?c) (outcome not_applicable) (reason no_periods))))

(defrule patrols-not-configured
  (patrol-subject (chief ?c) (level ?l))
  (not (frequency (level ?l)))
  =>
  (assert (verdict (rule GG-27) (subject ?c) (outcome not_applicable) (reason not_configured))))
