"""The directory table: schools, classes, subjects, journals, people, accounts and their links.

One table, items keyed by what they are (`pk`) and what part of it (`sk`):

    SCH#<school>   #                 the school          (by_collection: REG#<region>)
    SCH#<school>   SETTINGS          school settings
    SCH#<school>   PERIODS#<y>#<g>   periods adjusted by the school for a year and grade
    SCH#<school>   HOLIDAYS#<y>      holidays adjusted by the school for a year
    SCH#<school>   EXT#<external_id> guard: one person per (school, external_id)
    SCH#<school>   CLASSNAME#<y>#<g>#<letter>, SUBCODE#<code>   guards for unique names
    CLS#<class>    #                 a class             (by_collection: SCH#<school>#CLS)
    CLS#<class>    JSUB#<subject>    guard: one journal per class and subject
    SUB#<subject>  #                 a subject           (by_collection: SCH#<school>#SUB)
    JRN#<journal>  #                 a journal           (by_collection: CLS#<class>#JRN)
    PER#<person>   #                 a person            (by_collection: SCH#<school>#PER, by_class: CLS#<class>)
    PER#<person>   ACCOUNT           the person's login account (password hash, active, token epoch)
    PER#<person>   ROLE#<role>#<scope>, CHILD#<pupil>, GUARD#<parent>, JRN#<journal>, HOME#<class>   links
    USR#<username> #                 guard: the username is unique across the country; `ref` is the person
    USR#<username> LOGIN             failed logins (expires by TTL)
    IMP#<import>   #                 a roster import (expires by TTL)

`/v1/me` and every request's caller are one Query of the person's partition.
"""
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    TTLAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import TableMeta, register

__all__ = [
    "ByCollection", "ByClass", "DirectoryItem", "SchoolItem", "SettingsItem", "OverrideItem", "GuardItem",
    "ClassItem", "SubjectItem", "JournalItem", "PersonItem", "LinkItem", "AccountItem", "LoginFailuresItem",
    "ImportItem",
]


class ByCollection(GlobalSecondaryIndex):
    """Items of one collection: a region's schools, a school's classes, subjects and people, a class's journals."""

    class Meta:
        index_name = "by_collection"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ByClass(GlobalSecondaryIndex):
    """The pupils of a class (sparse: only pupils carry `gsi2pk`)."""

    class Meta:
        index_name = "by_class"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class DirectoryItem(Model):
    """Keys every directory item has."""

    class Meta(metaclass=TableMeta):
        table_suffix = "directory"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    expires = TTLAttribute(null=True)  # only short-lived items (failed logins, imports) set it
    by_collection = ByCollection()
    by_class = ByClass()


register(DirectoryItem)


class SchoolItem(DirectoryItem):
    school_id = UnicodeAttribute()
    name_kk = UnicodeAttribute()
    name_ru = UnicodeAttribute()
    region = UnicodeAttribute()
    locality = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    version = VersionAttribute()


class SettingsItem(DirectoryItem):
    """A school's settings; the assessment ones (assessment-rules.md §3) are null until the school sets them."""

    edit_window_days = NumberAttribute(null=True)
    unlimited = BooleanAttribute(default=False)
    sor_method = UnicodeAttribute(null=True)  # points | mean_of_percentages
    pool_fo_with_sor = BooleanAttribute(null=True)
    fo_max = NumberAttribute(null=True)
    version = VersionAttribute()


class OverrideItem(DirectoryItem):
    """A school's own periods or holidays for a year (and grade), replacing the national calendar."""

    entries = JSONAttribute()


class GuardItem(DirectoryItem):
    """Makes a name unique: created on condition that it does not exist; `ref` names the owner."""

    ref = UnicodeAttribute()


class ClassItem(DirectoryItem):
    class_id = UnicodeAttribute()
    school_id = UnicodeAttribute()
    region = UnicodeAttribute()
    year = NumberAttribute()
    grade = NumberAttribute()
    letter = UnicodeAttribute()
    language = UnicodeAttribute()
    homeroom_teacher_id = UnicodeAttribute(null=True)
    version = VersionAttribute()


class SubjectItem(DirectoryItem):
    subject_id = UnicodeAttribute()
    school_id = UnicodeAttribute()
    region = UnicodeAttribute()
    code = UnicodeAttribute()
    name_kk = UnicodeAttribute()
    name_ru = UnicodeAttribute()
    assessment = UnicodeAttribute()
    version = VersionAttribute()


class JournalItem(DirectoryItem):
    journal_id = UnicodeAttribute()
    school_id = UnicodeAttribute()
    region = UnicodeAttribute()
    class_id = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    teacher_ids = ListAttribute(of=UnicodeAttribute)
    hours_per_week = NumberAttribute()
    group_name = UnicodeAttribute(null=True)  # a subgroup's name; None: the journal of the whole class
    student_ids = UnicodeSetAttribute(null=True)  # a subgroup's pupils (a subset of the class)
    enrolment = JSONAttribute(null=True)  # {pupil: [[from, to], ...]} of pupils who moved in or out (null: open)
    version = VersionAttribute()


class PersonItem(DirectoryItem):
    person_id = UnicodeAttribute()
    school_id = UnicodeAttribute(null=True)
    region = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    last_name = UnicodeAttribute()
    first_name = UnicodeAttribute()
    middle_name = UnicodeAttribute(null=True)
    class_id = UnicodeAttribute(null=True)
    username = UnicodeAttribute(null=True)
    language = UnicodeAttribute(default="kk")
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    guardian_of = UnicodeSetAttribute(null=True)  # pupils' external ids, as the roster names them
    classes = JSONAttribute(null=True)  # a pupil's classes before this one: [[class, school, from, to], ...]
    left_on = UnicodeAttribute(null=True)  # the last day a pupil who left the school was in it
    version = VersionAttribute()


class LinkItem(DirectoryItem):
    """A link in a person's partition: a role grant, a child, a guardian or a journal taught."""

    kind = UnicodeAttribute()  # role | child | guardian | journal | homeroom
    role = UnicodeAttribute(null=True)
    school_id = UnicodeAttribute(null=True)
    region = UnicodeAttribute(null=True)
    ref = UnicodeAttribute(null=True)  # the other person's or the journal's id
    class_id = UnicodeAttribute(null=True)
    subject_id = UnicodeAttribute(null=True)
    display_name = UnicodeAttribute(null=True)


class AccountItem(DirectoryItem):
    username = UnicodeAttribute()
    person_id = UnicodeAttribute()
    password_hash = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    token_epoch = NumberAttribute(default=0)
    version = VersionAttribute()


class LoginFailuresItem(DirectoryItem):
    failures = NumberAttribute(default=0)
    locked_until = NumberAttribute(default=0)


class ImportItem(DirectoryItem):
    import_id = UnicodeAttribute()
    school_id = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | done | failed
    object_key = UnicodeAttribute(null=True)
    summary = JSONAttribute(null=True)
    created_at = UnicodeAttribute()
