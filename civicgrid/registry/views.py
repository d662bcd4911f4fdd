def _todo(request, *args, **kwargs):
    raise NotImplementedError


household_list = household_detail = household_edit = resident_add = resident_list = _todo
resident_export = resident_edit = resident_reveal = import_list = import_detail = import_confirm = _todo
import_template = _todo
