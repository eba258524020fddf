# What `cmake --install` adds to the binary and its modules: the kubectl completion shim, man
# pages, and shell completions, each where its tools look for it.
install(PROGRAMS "${CMAKE_SOURCE_DIR}/completions/kubectl_complete-microservice"
        DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(DIRECTORY "${CMAKE_SOURCE_DIR}/man/" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1"
        FILES_MATCHING PATTERN "*.1")
install(DIRECTORY "${CMAKE_SOURCE_DIR}/man/" DESTINATION "${CMAKE_INSTALL_MANDIR}/man5"
        FILES_MATCHING PATTERN "*.5")
install(FILES "${CMAKE_SOURCE_DIR}/completions/kubectl-microservice.bash"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" RENAME kubectl-microservice)
install(FILES "${CMAKE_SOURCE_DIR}/completions/kubectl-microservice.zsh"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/zsh/site-functions" RENAME _kubectl-microservice)
install(FILES "${CMAKE_SOURCE_DIR}/completions/kubectl-microservice.fish"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d")
# The service file's JSON Schema, for editors (yaml-language-server's `$schema` modeline).
install(FILES "${CMAKE_SOURCE_DIR}/packaging/service.schema.json" DESTINATION "${CMAKE_INSTALL_DATADIR}/kubectl-microservice")
install(FILES "${CMAKE_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/kubectl-microservice")
